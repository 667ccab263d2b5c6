"""The simulator alone (config/settings/simulator.py): mounted at the root, as Twilio's hosts are.

A client with `TWILIO_API_BASE_URL=http://127.0.0.1:8001` reaches
/conversations/v1/..., /content/v1/..., /mcs/v1/... and /api/...; the handset page
is / and the control API /_control/.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("simulator.urls")),
]
