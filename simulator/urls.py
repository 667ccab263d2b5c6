from django.urls import include, path

from simulator.api.media_urls import api_urlpatterns, mcs_urlpatterns

app_name = "simulator"

urlpatterns = [
    path("conversations/v1/", include("simulator.api.conversations_urls")),
    path("content/v1/", include("simulator.api.content_urls")),
    path("messaging/v2/", include("simulator.api.messaging_urls")),
    path("studio/v2/", include("simulator.api.studio_urls")),
    path("mcs/v1/", include(mcs_urlpatterns)),
    path("api/", include(api_urlpatterns)),
    path("_control/", include("simulator.control.urls")),
    path("", include("simulator.handset.urls")),
]
