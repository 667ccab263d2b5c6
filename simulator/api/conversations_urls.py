"""Conversations v1, as served under /simulator/conversations/v1/ (the paths the gateway calls)."""

from django.urls import path, re_path

from simulator.api import account_webhooks, addresses, conversations, messages, participants, scoped_webhooks
from simulator.api.common import unknown_resource

CONVERSATION = "Conversations/<str:conversation_sid>"

urlpatterns = [
    path("Configuration/Addresses", addresses.collection),
    path("Configuration/Addresses/<str:sid>", addresses.item),
    path("Configuration/Webhooks", account_webhooks.item),
    path("Conversations", conversations.collection),
    path("Conversations/<str:sid>", conversations.item),
    path(f"{CONVERSATION}/Participants", participants.collection),
    path(f"{CONVERSATION}/Participants/<str:sid>", participants.item),
    path(f"{CONVERSATION}/Messages", messages.collection),
    path(f"{CONVERSATION}/Messages/<str:sid>", messages.item),
    path(f"{CONVERSATION}/Messages/<str:message_sid>/Receipts", messages.receipts),
    path(f"{CONVERSATION}/Messages/<str:message_sid>/Receipts/<str:sid>", messages.receipt),
    path(f"{CONVERSATION}/Webhooks", scoped_webhooks.collection),
    path(f"{CONVERSATION}/Webhooks/<str:sid>", scoped_webhooks.item),
    path("ParticipantConversations", participants.participant_conversations),
    re_path(r"^.*$", unknown_resource),
]
