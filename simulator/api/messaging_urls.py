"""Messaging v2, as served under /simulator/messaging/v2/ (the account's WhatsApp senders)."""

from django.urls import path, re_path

from simulator.api import senders
from simulator.api.common import unknown_resource

urlpatterns = [
    path("Channels/Senders", senders.collection),
    path("Channels/Senders/<str:sid>", senders.item),
    re_path(r"^.*$", unknown_resource),
]
