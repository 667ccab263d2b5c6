"""Each push service, end to end: service -> outbox -> runner -> simulator, and the mirror matches.

The test settings run django-q2 tasks inline, and a live-server test has no
wrapping transaction, so every operation runs as its service commits.
"""

import pytest

from conversations_ops.models import AddressConfiguration, Conversation, OperationState, Participant, SyncOperation
from conversations_ops.services.address_configurations import (
    address_configuration_create,
    address_configuration_delete,
    address_configuration_update,
)
from conversations_ops.services.conversation_webhooks import conversation_webhook_add, conversation_webhook_remove
from conversations_ops.services.conversations import conversation_close, conversation_create, conversation_update
from conversations_ops.services.messages import message_send
from conversations_ops.services.participants import participant_add, participant_remove, participant_update
from conversations_ops.twilio import gateway
from simulator.engine import owned
from tests.helpers.ids import BUSINESS_SMS, COURIER_SMS

pytestmark = pytest.mark.slow


def _all_succeeded():
    return list(SyncOperation.objects.exclude(state=OperationState.SUCCEEDED).values_list("operation", "state"))


def test_conversation_participant_message_and_webhook_round_trip(simulator):
    conversation = conversation_create(unique_name="rt-order-1", friendly_name="Order 1")
    courier = participant_add(conversation=conversation, address=COURIER_SMS, proxy_address=BUSINESS_SMS)
    conversation.refresh_from_db()
    conversation_update(conversation=conversation, data={"friendly_name": "Order 1 (late)"})
    courier.refresh_from_db()
    participant_update(participant=courier, data={"attributes": '{"name": "Bo"}'})
    message = message_send(conversation=conversation, body="Your courier is on the way")
    webhook = conversation_webhook_add(
        conversation=conversation, target="trigger", url="https://example.com/kw", triggers=["help"]
    )
    assert _all_succeeded() == []

    for row in (conversation, courier, message, webhook):
        row.refresh_from_db()
        assert (row.sync_state, bool(row.sid)) == ("synced", True)
    remote = gateway.conversation_fetch(sid=conversation.sid)
    assert (remote.unique_name, remote.friendly_name) == ("rt-order-1", "Order 1 (late)")
    remote_courier = gateway.participant_fetch(conversation_sid=conversation.sid, sid=courier.sid)
    assert (remote_courier.binding_address, remote_courier.attributes) == (COURIER_SMS, '{"name": "Bo"}')
    assert gateway.message_fetch(conversation_sid=conversation.sid, sid=message.sid).body == message.body

    conversation_webhook_remove(conversation_webhook=webhook)
    participant_remove(participant=courier)
    conversation_close(conversation=Conversation.objects.get(pk=conversation.pk))
    assert _all_succeeded() == []
    assert list(gateway.conversation_webhook_list(conversation_sid=conversation.sid)) == []
    assert list(gateway.participant_list(conversation_sid=conversation.sid)) == []
    assert not Participant.objects.filter(pk=courier.pk).exists(), "removed locally once Twilio confirmed"
    assert gateway.conversation_fetch(sid=conversation.sid).state == "closed"


def test_address_configuration_round_trip(simulator):
    owned.own("whatsapp:+14155550177")  # Twilio configures only the account's own senders
    row = address_configuration_create(address="whatsapp:+14155550177", friendly_name="Night")
    row.refresh_from_db()
    address_configuration_update(address_configuration=row, data={"friendly_name": "Night shift"})
    assert gateway.address_configuration_fetch(sid=row.sid).friendly_name == "Night shift"
    address_configuration_delete(address_configuration=AddressConfiguration.objects.get(pk=row.pk))
    assert _all_succeeded() == []
    assert not AddressConfiguration.objects.filter(pk=row.pk).exists()
