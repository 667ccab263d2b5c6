"""Every push path round-trips: after the outbox runs, Twilio (the simulator) equals the mirror."""

import json

import pytest

from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    ConversationWebhook,
    Message,
    OperationState,
    Participant,
    SyncState,
)
from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from simulator.engine import owned
from tests.sync.helpers import BUSINESS_SMS, BUSINESS_WA, queue, refreshed

pytestmark = pytest.mark.slow
ROLE = "RL" + "0" * 32


def assert_synced(op, row):
    op.refresh_from_db()
    assert op.state == OperationState.SUCCEEDED, op.last_error_message
    row.refresh_from_db()
    assert (row.sync_state, row.sid, row.last_sync_error) == (SyncState.SYNCED, op.result_sid, "")
    return row


def assert_same(row, remote, fields):
    for field in fields:
        # The mirror keeps "" where Twilio says null.
        mine, theirs = (getattr(x, field) for x in (row, remote))
        mine, theirs = ("" if v is None else v for v in (mine, theirs))
        if field == "attributes":
            mine, theirs = json.loads(mine), json.loads(theirs)
        assert mine == theirs, field


def assert_gone_on_twilio(fetch):
    with pytest.raises(GatewayError) as caught:
        fetch()
    assert caught.value.status == 404


CONVERSATION_FIELDS = (
    "sid",
    "unique_name",
    "friendly_name",
    "attributes",
    "state",
    "chat_service_sid",
    "messaging_service_sid",
)


def test_conversation_create_update_close_delete(sim):
    row = Conversation.objects.create(friendly_name="Order A1", attributes='{"order": "A1"}', timers_inactive="PT30M")
    row = assert_synced(queue(row, "conversation.create"), row)
    assert row.unique_name == f"ops-{row.local_id}"  # what makes a retried create safe
    remote = gateway.conversation_fetch(sid=row.sid)
    assert_same(row, remote, CONVERSATION_FIELDS)
    assert row.date_inactive is not None  # the timer Twilio set came back

    Conversation.objects.filter(pk=row.pk).update(friendly_name="Order A1 (late)", attributes='{"late": true}')
    assert_synced(queue(row, "conversation.update", {"fields": ["friendly_name", "attributes"]}), row)
    assert_same(row, gateway.conversation_fetch(sid=row.sid), CONVERSATION_FIELDS)

    Conversation.objects.filter(pk=row.pk).update(state="closed")
    assert_synced(queue(row, "conversation.update", {"fields": ["state"]}), row)
    assert gateway.conversation_fetch(sid=row.sid).state == "closed"

    sid = row.sid
    op = queue(row, "conversation.delete", {"sid": sid})
    assert op.state == OperationState.SUCCEEDED
    assert not Conversation.objects.filter(pk=row.pk).exists()
    assert_gone_on_twilio(lambda: gateway.conversation_fetch(sid=sid))


def test_a_staff_chosen_unique_name_is_kept(sim):
    row = Conversation.objects.create(unique_name="order-b2")
    row = assert_synced(queue(row, "conversation.create"), row)
    assert gateway.conversation_fetch(sid="order-b2").sid == row.sid


def test_deleting_what_twilio_no_longer_has_succeeds_and_drops_the_row(sim):
    row = Conversation.objects.create(friendly_name="gone")
    row = assert_synced(queue(row, "conversation.create"), row)
    gateway.conversation_delete(sid=row.sid)
    op = queue(row, "conversation.delete", {"sid": row.sid})
    assert op.state == OperationState.SUCCEEDED
    assert not Conversation.objects.filter(pk=row.pk).exists()


@pytest.fixture
def conversation(sim):
    row = Conversation.objects.create(friendly_name="Pairing")
    return assert_synced(queue(row, "conversation.create"), row)


PARTICIPANT_FIELDS = ("sid", "identity", "attributes", "role_sid")


def test_participant_add_update_remove_with_a_whatsapp_binding(conversation):
    row = Participant.objects.create(
        conversation=conversation,
        messaging_binding_address="whatsapp:+15017122661",
        messaging_binding_proxy_address=BUSINESS_WA,
        attributes='{"name": "Ana"}',
        role="customer",
    )
    row = assert_synced(queue(row, "participant.add"), row)
    remote = gateway.participant_fetch(conversation_sid=conversation.sid, sid=row.sid)
    assert_same(row, remote, PARTICIPANT_FIELDS)
    assert (row.messaging_binding_type, row.messaging_binding_address, row.messaging_binding_proxy_address) == (
        "whatsapp",
        remote.binding_address,
        remote.binding_proxy_address,
    )

    Participant.objects.filter(pk=row.pk).update(attributes='{"name": "Ana B."}', role_sid=ROLE)
    assert_synced(queue(row, "participant.update", {"fields": ["attributes", "role_sid"]}), row)
    assert_same(row, gateway.participant_fetch(conversation_sid=conversation.sid, sid=row.sid), PARTICIPANT_FIELDS)

    sid = row.sid
    op = queue(row, "participant.remove", {"sid": sid, "conversation_sid": conversation.sid})
    assert op.state == OperationState.SUCCEEDED and not Participant.objects.filter(pk=row.pk).exists()
    assert_gone_on_twilio(lambda: gateway.participant_fetch(conversation_sid=conversation.sid, sid=sid))


def test_participant_add_with_a_chat_identity(conversation):
    row = Participant.objects.create(conversation=conversation, identity="courier-7")
    row = assert_synced(queue(row, "participant.add"), row)
    assert_same(row, gateway.participant_fetch(conversation_sid=conversation.sid, sid=row.sid), PARTICIPANT_FIELDS)
    assert row.messaging_binding_type == "chat"


MESSAGE_FIELDS = ("sid", "index", "author", "body", "attributes", "content_sid", "participant_sid", "media")


def test_message_send_with_body_media_and_template(conversation):
    Participant.objects.create(
        conversation=conversation,
        messaging_binding_address="+15017122663",
        messaging_binding_proxy_address=BUSINESS_SMS,
    )
    content = gateway.content_create(language="en", types={"twilio/text": {"body": "Hi {{1}}"}}, friendly_name="hi")
    rows = [
        Message.objects.create(conversation=conversation, body="On my way", attributes='{"order": "A1"}'),
        Message.objects.create(conversation=conversation, media_sid="ME" + "1" * 32, author="courier-7"),
        Message.objects.create(conversation=conversation, content_sid=content.sid, content_variables='{"1": "Ana"}'),
    ]
    for row in rows:
        assert_synced(queue(row, "message.send"), row)
    remotes = {m.sid: m for m in gateway.message_list(conversation_sid=conversation.sid)}
    assert [row.index for row in rows] == [0, 1, 2]
    for row in rows:
        assert_same(row, remotes[row.sid], MESSAGE_FIELDS)
        assert json.loads(row.attributes)["ops_local_id"] == str(row.local_id)
    assert json.loads(rows[0].attributes)["order"] == "A1"  # the row's own attributes travel too
    assert rows[1].media[0]["sid"] == "ME" + "1" * 32
    assert rows[2].content_sid == content.sid


def test_conversation_webhook_add_and_remove(conversation):
    row = ConversationWebhook.objects.create(
        conversation=conversation, target="webhook", url="https://example.com/hook", filters=["onMessageAdded"]
    )
    row = assert_synced(queue(row, "conversation_webhook.add"), row)
    (remote,) = gateway.conversation_webhook_list(conversation_sid=conversation.sid)
    assert_same(row, remote, ("sid", "target", "url", "method", "filters", "triggers"))
    op = queue(row, "conversation_webhook.remove", {"sid": row.sid, "conversation_sid": conversation.sid})
    assert op.state == OperationState.SUCCEEDED and not ConversationWebhook.objects.filter(pk=row.pk).exists()
    assert list(gateway.conversation_webhook_list(conversation_sid=conversation.sid)) == []


ADDRESS_FIELDS = ("sid", "type", "address", "friendly_name", "address_country")


def test_address_configuration_create_update_delete(sim):
    owned.own("whatsapp:+14155550199")  # Twilio configures only the account's own senders
    row = AddressConfiguration.objects.create(
        address="whatsapp:+14155550199",
        type="whatsapp",
        friendly_name="Deliveries",
        auto_creation_enabled=True,
        auto_creation_type="webhook",
        auto_creation_webhook_url="https://example.com/auto",
        auto_creation_webhook_filters=["onMessageAdded"],
    )
    row = assert_synced(queue(row, "address_configuration.create"), row)
    remote = gateway.address_configuration_fetch(sid=row.sid)
    assert_same(row, remote, ADDRESS_FIELDS)
    assert (row.auto_creation_type, row.auto_creation_webhook_url, row.auto_creation_webhook_filters) == (
        remote.auto_creation.type,
        remote.auto_creation.webhook_url,
        remote.auto_creation.webhook_filters,
    )

    AddressConfiguration.objects.filter(pk=row.pk).update(friendly_name="Deliveries EU", auto_creation_enabled=False)
    assert_synced(queue(row, "address_configuration.update", {"fields": ["friendly_name"]}), row)
    remote = gateway.address_configuration_fetch(sid=row.sid)
    assert (remote.friendly_name, remote.auto_creation.enabled, row.auto_creation_enabled) == (
        "Deliveries EU",
        False,
        False,
    )

    sid = row.sid
    op = queue(row, "address_configuration.delete", {"sid": sid})
    assert op.state == OperationState.SUCCEEDED and not AddressConfiguration.objects.filter(pk=row.pk).exists()
    assert_gone_on_twilio(lambda: gateway.address_configuration_fetch(sid=sid))


def test_an_existing_configuration_for_the_address_is_adopted_and_given_our_settings(sim):
    owned.own("+14155550123")
    theirs = gateway.address_configuration_create(type="sms", address="+14155550123", friendly_name="old")
    row = AddressConfiguration.objects.create(address="+14155550123", type="sms", friendly_name="Ours")
    row = assert_synced(queue(row, "address_configuration.create"), row)
    assert row.sid == theirs.sid
    assert gateway.address_configuration_fetch(sid=theirs.sid).friendly_name == "Ours"


def test_an_operation_whose_row_was_deleted_before_it_ran_is_cancelled(sim):
    row = Conversation.objects.create(friendly_name="never")
    from django.db import transaction

    from conversations_ops.outbox.queue import sync_operation_queue

    with transaction.atomic():
        op = sync_operation_queue(target=row, operation="conversation.create")
        row.delete()
    op.refresh_from_db()
    assert op.state == OperationState.CANCELLED and "deleted" in op.last_error_message
    assert list(gateway.conversation_list()) == []
    assert refreshed(op).result_sid == ""
