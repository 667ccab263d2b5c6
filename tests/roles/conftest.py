"""Staff of each role, and one row of every console model for them to look at."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from conversations_ops.consent.services import consent_opt_out
from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    ConversationWebhook,
    DeliveryReceipt,
    Message,
    Pairing,
    PairingState,
    Participant,
    SandboxSender,
    Template,
    TemplateStatusChange,
    WebhookEvent,
    WebhookRejection,
)
from tests.helpers.ids import make_sid
from tests.roles.rows import COURIER, CUSTOMER, SENDER, failed_operation
from tests.roles.staff import client_for, staff_user


@pytest.fixture
def staff(db):
    """`staff("Ops")` -> a logged-in client for a staff member of that group (NO_GROUP: none)."""
    made = {}

    def login(role: str):
        if role not in made:
            made[role] = client_for(staff_user(role))
        return made[role]

    return login


@pytest.fixture
def no_push(monkeypatch):
    """Pushes are queued (SyncOperation rows) but never run: nothing talks to Twilio."""
    monkeypatch.setattr("conversations_ops.outbox.queue.sync_operation_enqueue", lambda **kwargs: None)
    monkeypatch.setattr("conversations_ops.outbox.runner.sync_operation_enqueue", lambda **kwargs: None)


@pytest.fixture
def rows(db):
    """One row of every console model, a customer's and a courier's number among them."""
    sender = AddressConfiguration.objects.create(
        sid=make_sid("IG"), address=SENDER, type="whatsapp", friendly_name="Deliveries WhatsApp", sync_state="synced"
    )
    conversation = Conversation.objects.create(sid=make_sid("CH"), unique_name="pairing-1", sync_state="synced")
    customer = Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB"),
        messaging_binding_type="whatsapp",
        role="customer",
        messaging_binding_address=CUSTOMER,
        messaging_binding_proxy_address=SENDER,
        sync_state="synced",
    )
    courier = Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB", 2),
        messaging_binding_type="sms",
        role="courier",
        messaging_binding_address=COURIER,
        messaging_binding_proxy_address="+14155238887",
        sync_state="failed",
        last_sync_error=f"Participant {COURIER} could not be added",
    )
    message = Message.objects.create(
        conversation=conversation,
        sid=make_sid("IM"),
        index=0,
        author=CUSTOMER,
        body="Where is my order?",
        direction="inbound",
        date_created=timezone.now(),
    )
    template = Template.objects.create(
        sid=make_sid("HX"),
        friendly_name="courier_invite",
        language="en",
        approval_status="approved",
        types={"twilio/text": {"body": "Hello {{1}}, your courier is here."}},
        variables={"1": "Ana"},
    )
    rejected = Template.objects.create(
        sid=make_sid("HX", 2),
        friendly_name="old_promo",
        language="en",
        approval_status="unsubmitted",
        types={"twilio/text": {"body": "Hi"}},
    )
    pairing = Pairing.objects.create(
        sender=sender,
        customer_address=CUSTOMER,
        courier_address=COURIER,
        invite_template=template,
        invite_variables={"1": "Robert"},
        connected_template=template,
        conversation=conversation,
        state=PairingState.FAILED,
        failure=f"Twilio refused {COURIER}: 50416",
    )
    return SimpleNamespace(
        addressconfiguration=sender,
        conversation=conversation,
        participant=customer,
        courier=courier,
        message=message,
        template=template,
        unsubmitted=rejected,
        pairing=pairing,
        conversationwebhook=ConversationWebhook.objects.create(
            conversation=conversation, sid=make_sid("WH"), target="webhook", url="https://example.com/hook"
        ),
        deliveryreceipt=DeliveryReceipt.objects.create(
            message=message, sid=make_sid("DY"), status="delivered", participant_sid=customer.sid
        ),
        templatestatuschange=TemplateStatusChange.objects.create(
            template=template,
            old_status="approved",
            new_status="paused",
            seen_at=timezone.now(),
            in_use=True,
            alert=True,
        ),
        webhookevent=WebhookEvent.objects.create(
            source="conversations",
            event_type="onMessageAdded",
            dedup_key="conversations:onMessageAdded:x",
            conversation_sid=conversation.sid,
            message_sid=message.sid,
            participant_sid=customer.sid,
            params=[
                ["EventType", "onMessageAdded"],
                ["Author", CUSTOMER],
                ["Body", "Where is my order?"],
                ["MessagingBinding.Address", CUSTOMER],
            ],
            headers={"X-Twilio-Signature": "c2lnbmF0dXJl+MTIzNDU2Nzg5/abc="},
            outcome=f"message {message.sid} stored from {CUSTOMER}",
        ),
        webhookrejection=WebhookRejection.objects.create(reason="bad_signature", count=1),
        sandboxsender=SandboxSender.objects.create(address="whatsapp:+14155238899", friendly_name="Sandbox"),
        syncoperation=failed_operation(courier, "participant.add"),
        # On the sandbox sender: opted out of SENDER, the customer could not be messaged in the
        # conversation, nor the pairing stay failed, for the action tests (tests/consent/ has that).
        consent=consent_opt_out(
            address=CUSTOMER, sender="whatsapp:+14155238899", how="staff_opt_out", reason=f"{CUSTOMER} asked by phone"
        ).consent,
    )
