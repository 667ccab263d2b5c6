from django.urls import path

from simulator.control import faults_views, ratelimit_views, views

# Names live under the "simulator" namespace (simulator/urls.py): simulator:control-inbound, ...
urlpatterns = [
    path("inbound", views.inbound, name="control-inbound"),
    path("handsets/<path:address>", views.handset, name="control-handset"),
    path("clock", views.clock, name="control-clock"),
    path("content", views.content_list, name="control-content"),
    path("content/<str:sid>/approval", views.content_approval, name="control-content-approval"),
    path("faults", faults_views.faults_view, name="control-faults"),
    path("ratelimit", ratelimit_views.ratelimit_view, name="control-ratelimit"),
    path("reset", views.reset, name="control-reset"),
    path("deliveries", views.deliveries, name="control-deliveries"),
    path("conversations", views.conversations, name="control-conversations"),
    path("drain", views.drain, name="control-drain"),
    path("numbers", views.numbers, name="control-numbers"),
    path("services", views.services, name="control-services"),
]
