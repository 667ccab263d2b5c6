"""The customer's reply connects the courier exactly once (repeated or concurrent
events), and a pairing nobody answers expires and frees its numbers.

The pairing is set up in the mirror as if its start had been pushed; pushes the
flow queues stay in the outbox (no Twilio here).
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    ConversationWebhook,
    Message,
    Pairing,
    PairingState,
    Participant,
    StepKind,
    SyncOperation,
    Template,
    WebhookEvent,
)
from conversations_ops.pairings.flow import pairings_expire
from conversations_ops.webhooks.apply import webhook_event_apply
from tests.helpers.ids import make_sid
from tests.helpers.pairings import COURIER, CUSTOMER
from tests.webhooks.builders import deliver, message_event
from tests.webhooks.signing import signed_post

SENDER = "whatsapp:+14155238886"
CH = make_sid("CH", 1)


pytestmark = pytest.mark.usefixtures("held_pushes")


@pytest.fixture
def awaiting(db):
    sender = AddressConfiguration.objects.create(sid=make_sid("IG"), type="whatsapp", address=SENDER)
    invite = Template.objects.create(
        sid=make_sid("HX", 1), language="en", approval_status="approved", types={"twilio/text": {"body": "Hello {{1}}"}}
    )
    connected = Template.objects.create(
        sid=make_sid("HX", 2), language="en", approval_status="approved", types={"twilio/text": {"body": "Connected!"}}
    )
    conversation = Conversation.objects.create(sid=CH, sync_state="synced", unique_name="pairing-x")
    for n, (address, role) in enumerate(((CUSTOMER, "customer"), (COURIER, "courier")), start=1):
        Participant.objects.create(
            conversation=conversation,
            sid=make_sid("MB", n),
            sync_state="synced",
            messaging_binding_type="whatsapp",
            messaging_binding_address=address,
            messaging_binding_proxy_address=SENDER,
            role=role,
        )
    ConversationWebhook.objects.create(
        conversation=conversation,
        sid=make_sid("WH"),
        target="webhook",
        url="http://testserver/webhooks/twilio/conversations/",
        sync_state="synced",
    )
    now = timezone.now()
    return Pairing.objects.create(
        sender=sender,
        customer_address=CUSTOMER,
        courier_address=COURIER,
        invite_template=invite,
        invite_variables={"1": "Robert"},
        connected_template=connected,
        conversation=conversation,
        state=PairingState.AWAITING_CUSTOMER,
        invited_at=now,
        expires_at=now + timedelta(minutes=30),
    )


def reply(n: int, body: str = "Yes!") -> list:
    return message_event(
        "onMessageAdded",
        CH,
        make_sid("IM", n),
        index=n,
        body=body,
        author=CUSTOMER,
        participant_sid=make_sid("MB", 1),
        created=n,
    )


def _connection_pushes() -> list[str]:
    return sorted(
        SyncOperation.objects.filter(operation__in=["message.send", "conversation_webhook.remove"]).values_list(
            "operation", flat=True
        )
    )


@pytest.mark.django_db
def test_the_reply_connects_once_even_when_twilio_delivers_it_twice(client, awaiting):
    first = deliver(client, reply(1))
    assert "connecting their courier" in first.outcome
    deliver(client, reply(1))  # the same event again (account-level and scoped webhook, or a replay)
    deliver(client, reply(2, "Hello?"))  # and the customer writes again before the courier is connected

    awaiting.refresh_from_db()
    assert awaiting.state == PairingState.CONNECTING and awaiting.replied_at is not None
    assert awaiting.steps.filter(kind=StepKind.REPLY).count() == 1
    assert _connection_pushes() == ["conversation_webhook.remove", "message.send", "message.send"]
    auto_reply = Message.objects.get(conversation__sid=CH, author=COURIER, sid="")
    assert auto_reply.body == awaiting.auto_reply
    connected = Message.objects.get(conversation__sid=CH, author=CUSTOMER, sid="")
    assert connected.content_sid == awaiting.connected_template.sid


@pytest.mark.django_db(transaction=True)
def test_two_replies_applied_at_the_same_moment_connect_once(client, awaiting):
    for n in (1, 2):
        assert signed_post(client, "conversations", reply(n)).status_code == 200
    events = list(WebhookEvent.objects.filter(event_type="onMessageAdded").values_list("pk", flat=True))
    assert len(events) == 2
    WebhookEvent.objects.update(processing_state="pending")  # as if both arrived at once, not yet applied
    gate, errors = threading.Barrier(2), []

    def apply(pk):
        try:
            gate.wait(5)
            webhook_event_apply(event_id=pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(pk,)) for pk in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    awaiting.refresh_from_db()
    assert awaiting.state == PairingState.CONNECTING
    assert awaiting.steps.filter(kind=StepKind.REPLY).count() == 1
    assert _connection_pushes() == ["conversation_webhook.remove", "message.send", "message.send"]


@pytest.mark.django_db
def test_the_courier_writing_is_not_the_customers_reply(client, awaiting):
    deliver(
        client,
        message_event(
            "onMessageAdded",
            CH,
            make_sid("IM", 5),
            index=5,
            body="I'm here",
            author=COURIER,
            participant_sid=make_sid("MB", 2),
        ),
    )
    awaiting.refresh_from_db()
    assert awaiting.state == PairingState.AWAITING_CUSTOMER and _connection_pushes() == []


@pytest.mark.django_db
def test_no_reply_in_time_expires_and_closes_the_conversation(client, awaiting):
    assert pairings_expire(now=timezone.now() + timedelta(minutes=29)) == 0
    assert pairings_expire(now=timezone.now() + timedelta(minutes=31)) == 1
    awaiting.refresh_from_db()
    assert awaiting.state == PairingState.EXPIRED and awaiting.ended_at is not None
    close = SyncOperation.objects.get(operation="conversation.update")
    assert close.payload == {"fields": ["state"]}
    assert Conversation.objects.get(sid=CH).state == "closed"  # pending on Twilio, closed in the mirror
    assert [s.kind for s in awaiting.steps.all()] == [StepKind.EXPIRED, StepKind.CLOSE]

    deliver(client, reply(1, "Sorry, I was away"))  # too late: the pairing stays expired
    awaiting.refresh_from_db()
    assert awaiting.state == PairingState.EXPIRED and _connection_pushes() == []
    assert pairings_expire(now=timezone.now() + timedelta(hours=2)) == 0
