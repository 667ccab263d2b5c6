"""The console shows a receipt's state truthfully while Twilio's receipts are still coming:
sent is not delivered, delivered is not read, and webhooks that arrive reversed and twice
change nothing but what the newest status says. Against the live simulator, its delays
switched on and its clock moved by the test."""

import pytest
import requests
from django.urls import reverse

from conversations_ops.models import Conversation, DeliveryReceipt, WebhookEvent
from conversations_ops.services.account_webhooks import account_webhooks_configure
from conversations_ops.services.conversations import conversation_create
from conversations_ops.services.messages import message_send
from conversations_ops.services.participants import participant_add
from simulator.models import SimWebhookDelivery
from tests.helpers.handsets import Handset, settle_inbox
from tests.helpers.pairings import CUSTOMER

pytestmark = pytest.mark.slow

BUSINESS_WA = "whatsapp:+14155550100"


def _switch(handset, **switches):
    response = requests.post(f"{handset.control}/delivery", json=switches, timeout=30)
    assert response.status_code == 200, response.text


def _settle(handset):
    handset.wait_for_webhooks()
    settle_inbox()


def _shown(admin_client, message):
    listing = admin_client.get(reverse("admin:conversations_ops_message_changelist")).content.decode()
    transcript = admin_client.get(
        reverse("admin:conversations_ops_conversation_transcript", args=[message.conversation_id])
    ).content.decode()
    return listing, transcript


def test_sent_delivered_read_are_shown_as_they_arrive_whatever_the_webhook_order(simulator, admin_client):
    handset = Handset(simulator.api_base)
    account_webhooks_configure()
    conversation = conversation_create(unique_name="order-77")
    participant_add(
        conversation=Conversation.objects.get(pk=conversation.pk), address=CUSTOMER, proxy_address=BUSINESS_WA
    )
    handset.send(CUSTOMER, BUSINESS_WA, "Hi")
    _settle(handset)
    _switch(
        handset,
        delivered_after_s=60,
        read_after_s=120,
        webhooks={"order": "reversed", "duplicates": 1, "hold_ms": 200, "seed": 3},
    )
    message = message_send(conversation=Conversation.objects.get(pk=conversation.pk), body="Your rider is near")
    _settle(handset)

    (receipt,) = DeliveryReceipt.objects.filter(message=message)
    assert receipt.status == "sent"
    listing, transcript = _shown(admin_client, message)
    assert "<strong>sent, not delivered yet</strong>" in listing
    assert ": <strong>sent</strong>" in transcript

    handset.tick(60)
    _settle(handset)
    receipt.refresh_from_db()
    assert receipt.status == "delivered"
    listing, transcript = _shown(admin_client, message)
    assert "<strong>delivered</strong>" in listing and ": <strong>delivered</strong>" in transcript

    handset.tick(120)
    _settle(handset)
    receipt.refresh_from_db()
    assert receipt.status == "read"
    listing, transcript = _shown(admin_client, message)
    assert "<strong>read</strong>" in listing and ": <strong>read</strong>" in transcript
    # Every status change came twice: each was stored once and the second changed nothing.
    sent_twice = SimWebhookDelivery.objects.filter(event_type="onDeliveryUpdated", duplicate_of__isnull=False)
    assert sent_twice.count() == 3
    assert WebhookEvent.objects.filter(event_type="onDeliveryUpdated").count() == 3
