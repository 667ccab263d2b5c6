from django.urls import include, path

app_name = "simulator"

urlpatterns = [
    path("conversations/v1/", include("simulator.api.conversations_urls")),
    path("content/v1/", include("simulator.api.content_urls")),
    path("_control/", include("simulator.control.urls")),
    path("", include("simulator.handset.urls")),
]
