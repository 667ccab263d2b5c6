from django.urls import path

from simulator.control import (
    delivery_views,
    faults_views,
    owned_views,
    preferences_views,
    ratelimit_views,
    studio_views,
    views,
)

# Names live under the "simulator" namespace (simulator/urls.py): simulator:control-inbound, ...
urlpatterns = [
    path("inbound", views.inbound, name="control-inbound"),
    # Before handsets/<path:address>, which would swallow the "/delivery" and "/preferences".
    path("handsets/<path:address>/delivery", delivery_views.handset_delivery_view, name="control-handset-delivery"),
    path(
        "handsets/<path:address>/preferences",
        preferences_views.handset_preferences_view,
        name="control-handset-preferences",
    ),
    path("handsets/<path:address>", views.handset, name="control-handset"),
    path("clock", views.clock, name="control-clock"),
    path("content", views.content_list, name="control-content"),
    path("content/<str:sid>/approval", views.content_approval, name="control-content-approval"),
    path("delivery", delivery_views.delivery_view, name="control-delivery"),
    path("faults", faults_views.faults_view, name="control-faults"),
    path("ratelimit", ratelimit_views.ratelimit_view, name="control-ratelimit"),
    path("reset", views.reset, name="control-reset"),
    path("deliveries", views.deliveries, name="control-deliveries"),
    path("conversations", views.conversations, name="control-conversations"),
    path("drain", views.drain, name="control-drain"),
    path("numbers", views.numbers, name="control-numbers"),
    path("phone-numbers", owned_views.phone_numbers, name="control-phone-numbers"),
    path("phone-numbers/<path:number>", owned_views.phone_number, name="control-phone-number"),
    path("whatsapp-senders", owned_views.whatsapp_senders, name="control-whatsapp-senders"),
    path("whatsapp-senders/<path:sender_id>", owned_views.whatsapp_sender, name="control-whatsapp-sender"),
    path("services", views.services, name="control-services"),
    path("studio/flows", studio_views.flows, name="control-studio-flows"),
]
