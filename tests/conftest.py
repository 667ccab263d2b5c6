"""Fixtures every folder may use. Shared fixtures live in plugin modules (tests/plugins/),
registered here once; helpers that test modules import live in tests/helpers/ or beside
their area (e.g. tests/sync/helpers.py), never in a conftest or a test module."""

import pytest

from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    ConversationWebhook,
    DeliveryReceipt,
    Message,
    Participant,
    Template,
)
from conversations_ops.webhooks.recording import webhook_refusals_discard
from tests.helpers.ids import BUSINESS_WHATSAPP, CUSTOMER_WHATSAPP, make_sid

pytest_plugins = [
    "tests.plugins.simulator",
    "tests.plugins.pairings",
    "tests.plugins.outbox",
]


@pytest.fixture(autouse=True)
def _no_refusal_counts_carried_over():
    """Refused webhooks are counted in process memory until a flush: none leak between tests."""
    webhook_refusals_discard()
    yield
    webhook_refusals_discard()


@pytest.fixture
def held_pushes(monkeypatch):
    """Pushes stay queued in the outbox (nothing hands them to a worker): the test settles them itself."""
    monkeypatch.setattr("conversations_ops.outbox.queue.sync_operation_enqueue", lambda **_: None)


@pytest.fixture
def address_configuration(db):
    return AddressConfiguration.objects.create(
        sid=make_sid("IG"), address=BUSINESS_WHATSAPP, friendly_name="Deliveries WhatsApp"
    )


@pytest.fixture
def conversation(db):
    return Conversation.objects.create(sid=make_sid("CH"), unique_name="order-a123", friendly_name="Order A123")


@pytest.fixture
def participant(conversation):
    return Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB"),
        messaging_binding_type="whatsapp",
        messaging_binding_address=CUSTOMER_WHATSAPP,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
        role="customer",
    )


@pytest.fixture
def conversation_webhook(conversation):
    return ConversationWebhook.objects.create(
        conversation=conversation, sid=make_sid("WH"), target="webhook", url="https://example.com/hook"
    )


@pytest.fixture
def message(conversation):
    return Message.objects.create(
        conversation=conversation, sid=make_sid("IM"), index=0, body="Your order is on its way"
    )


@pytest.fixture
def delivery_receipt(message):
    return DeliveryReceipt.objects.create(message=message, sid=make_sid("DY"), status="delivered")


@pytest.fixture
def template(db):
    return Template.objects.create(
        sid=make_sid("HX"),
        friendly_name="courier_invite",
        language="en",
        variables={"1": "Ana"},
        types={"twilio/text": {"body": "Hello {{1}}, your courier is here."}},
        approval_status="approved",
    )
