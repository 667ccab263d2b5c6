"""Conversations v1, as served under /simulator/conversations/v1/ (the paths the gateway calls).

A conversation and its children have two addresses, as on Twilio: the short `Conversations/...`
paths reach the account's default Conversation Service, `Services/{ChatServiceSid}/Conversations/...`
any service. Both lists below route to the same views; `twilio_endpoint` hands the service the
path names to `lookups.service_sid`.
"""

from django.urls import include, path, re_path

from simulator.api import (
    account_webhooks,
    addresses,
    conversations,
    messages,
    participants,
    scoped_webhooks,
    services,
)
from simulator.api.common import unknown_resource

CONVERSATION = "Conversations/<str:conversation_sid>"

# What lives in a Conversation Service: served at the root (default service) and under Services/{sid}/.
SERVICE_SCOPED = [
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
]

urlpatterns = [
    path("Configuration", services.configuration),
    path("Configuration/Addresses", addresses.collection),
    path("Configuration/Addresses/<str:sid>", addresses.item),
    path("Configuration/Webhooks", account_webhooks.item),
    path("Services", services.collection),
    path("Services/<str:sid>", services.item),
    path("Services/<str:chat_service_sid>/", include(SERVICE_SCOPED)),
    *SERVICE_SCOPED,
    re_path(r"^.*$", unknown_resource),
]
