"""Participant and message events: parents made on demand, fields the events do
not carry kept, natural keys settled, directions, claims of local rows."""

import json

import pytest

from conversations_ops.models import Conversation, Direction, Message, Participant, SyncState
from tests.webhooks.builders import (
    BUSINESS,
    BUSINESS_SMS,
    COURIER,
    CUSTOMER,
    at,
    deliver,
    message_event,
    outcome_of,
    participant_event,
    sid,
)

pytestmark = pytest.mark.django_db
CH = sid("CH")
MB, IM = sid("MB"), sid("IM")


def test_a_participant_of_an_unknown_conversation_brings_its_conversation_along(client):
    outcome = outcome_of(
        client,
        participant_event(
            "onParticipantAdded", CH, MB, created=2, address=CUSTOMER, proxy=BUSINESS, attributes='{"name": "Ana"}'
        ),
    )

    assert outcome == f"participant {MB} stored"
    conversation = Conversation.objects.get(sid=CH)
    assert (conversation.sync_state, conversation.date_updated) == (SyncState.SYNCED, None), "a placeholder"
    row = Participant.objects.get(sid=MB)
    assert (
        row.conversation,
        row.messaging_binding_type,
        row.messaging_binding_address,
        row.messaging_binding_proxy_address,
        row.attributes,
        row.date_created,
        row.date_updated,
    ) == (conversation, "whatsapp", CUSTOMER, BUSINESS, '{"name": "Ana"}', at(2), at(2))


def test_a_chat_participant(client):
    deliver(client, participant_event("onParticipantAdded", CH, MB, identity="ops-agent"))
    row = Participant.objects.get(sid=MB)
    assert (row.identity, row.messaging_binding_type, row.messaging_binding_address) == ("ops-agent", "chat", "")


def test_only_updated_carries_the_read_index_and_no_event_the_read_timestamp(client):
    Participant.objects.create(
        conversation=Conversation.objects.create(sid=CH, sync_state="synced"),
        sid=MB,
        sync_state="synced",
        last_read_timestamp=at(1),
    )
    deliver(
        client,
        participant_event("onParticipantUpdated", CH, MB, updated=5, address=CUSTOMER, proxy=BUSINESS, last_read=3),
    )
    deliver(client, participant_event("onParticipantAdded", CH, MB, created=0, address=CUSTOMER, proxy=BUSINESS))
    deliver(client, participant_event("onParticipantRemoved", CH, MB, updated=5, address=CUSTOMER, proxy=BUSINESS))
    row = Participant.objects.get(sid=MB)
    assert (row.last_read_message_index, row.last_read_timestamp, row.sync_state) == (
        3,
        at(1),
        SyncState.DELETED_REMOTELY,
    )


@pytest.mark.parametrize("order", ["in order", "re-added first"])
def test_a_re_added_binding_belongs_to_the_newer_participant_whatever_the_order(client, order):
    old, new = sid("MB", 1), sid("MB", 2)
    events = [
        participant_event("onParticipantAdded", CH, old, created=0, address=COURIER, proxy=BUSINESS_SMS),
        participant_event("onParticipantRemoved", CH, old, created=0, updated=0, address=COURIER, proxy=BUSINESS_SMS),
        participant_event("onParticipantAdded", CH, new, created=10, address=COURIER, proxy=BUSINESS_SMS),
    ]
    for pairs in events if order == "in order" else [events[2], events[0], events[1]]:
        event = deliver(client, pairs)
        assert event.processing_state == "processed", event.processing_error
    assert dict(Participant.objects.values_list("sid", "sync_state")) == {
        old: SyncState.DELETED_REMOTELY,
        new: SyncState.SYNCED,
    }


def test_a_local_participant_waiting_for_its_sid_is_not_duplicated(client):
    conversation = Conversation.objects.create(sid=CH, sync_state="synced")
    Participant.objects.create(
        conversation=conversation, messaging_binding_address=COURIER, messaging_binding_proxy_address=BUSINESS_SMS
    )
    outcome = outcome_of(client, participant_event("onParticipantAdded", CH, MB, address=COURIER, proxy=BUSINESS_SMS))
    assert outcome.startswith(f"skipped: participant {MB} is the Twilio copy of a local row")
    assert Participant.objects.count() == 1


def test_a_message_is_stored_with_media_attributes_and_direction_never_a_template_from_the_event(client):
    deliver(client, participant_event("onParticipantAdded", CH, MB, address=CUSTOMER, proxy=BUSINESS))
    media = [{"sid": sid("ME"), "content_type": "image/jpeg", "filename": "door.jpg", "size": 0}]
    outcome = outcome_of(
        client,
        message_event(
            "onMessageAdded",
            CH,
            IM,
            index=3,
            created=4,
            body="here",
            author=CUSTOMER,
            participant_sid=MB,
            attributes='{"a": 1}',
            media=media,
            content_sid=sid("HX"),  # not a Twilio parameter: whoever adds it, it is not read
        ),
    )

    assert outcome == f"message {IM} stored (index 3)"
    row = Message.objects.get(sid=IM)
    assert (
        row.index,
        row.author,
        row.body,
        row.media,
        row.attributes,
        row.participant_sid,
        row.content_sid,
        row.direction,
        row.date_created,
        row.date_updated,
        row.delivery,
    ) == (3, CUSTOMER, "here", media, '{"a": 1}', MB, "", Direction.INBOUND, at(4), at(4), None)


def test_messages_written_before_their_author_joined_the_mirror_turn_inbound(client):
    deliver(client, message_event("onMessageAdded", CH, IM, index=0, body="hi", author=COURIER))
    deliver(client, message_event("onMessageAdded", CH, sid("IM", 2), index=1, body="ok", author="system"))
    outcome = outcome_of(client, participant_event("onParticipantAdded", CH, MB, address=COURIER, proxy=BUSINESS_SMS))
    assert outcome == f"participant {MB} stored; 1 of its messages marked inbound"
    assert dict(Message.objects.values_list("sid", "direction")) == {
        IM: Direction.INBOUND,
        sid("IM", 2): Direction.OUTBOUND,
    }


def test_message_versions_and_removal(client):
    deliver(client, message_event("onMessageUpdated", CH, IM, index=0, created=0, updated=20, body="edited"))
    outcome = outcome_of(client, message_event("onMessageAdded", CH, IM, index=0, created=0, body="first"))
    assert outcome.startswith(f"skipped: message {IM}: mirror already newer")
    deliver(client, message_event("onMessageRemoved", CH, IM, index=0, created=0, updated=20, body="edited"))
    deliver(client, message_event("onMessageUpdated", CH, IM, index=0, created=0, updated=10, body="older edit"))
    row = Message.objects.get(sid=IM)
    assert (row.body, row.sync_state) == ("edited", SyncState.DELETED_REMOTELY)


def test_message_events_keep_the_delivery_summary(client):
    summary = {"total": 1, "sent": "all", "delivered": "all", "read": "none", "failed": "none", "undelivered": "none"}
    Message.objects.create(
        conversation=Conversation.objects.create(sid=CH, sync_state="synced"),
        sid=IM,
        index=0,
        sync_state="synced",
        delivery=summary,
    )
    deliver(client, message_event("onMessageUpdated", CH, IM, index=0, updated=5, body="edited"))
    assert Message.objects.get(sid=IM).delivery == summary


def test_the_twilio_copy_of_a_message_being_pushed_is_left_to_the_push_runner(client):
    conversation = Conversation.objects.create(sid=CH, sync_state="synced")
    local = Message.objects.create(conversation=conversation, body="Your courier is here")
    attributes = json.dumps({"ops_local_id": str(local.local_id)})
    outcome = outcome_of(
        client, message_event("onMessageAdded", CH, IM, index=0, body="Your courier is here", attributes=attributes)
    )
    assert outcome.startswith(f"skipped: message {IM} is the Twilio copy of a local row")
    assert Message.objects.count() == 1


@pytest.mark.parametrize("order", ["in order", "newest first"])
def test_an_index_given_again_after_a_deletion_goes_to_the_newer_message(client, order):
    old, new = sid("IM", 1), sid("IM", 2)
    events = [
        message_event("onMessageAdded", CH, old, index=4, created=0, body="old"),
        message_event("onMessageRemoved", CH, old, index=4, created=0, updated=0, body="old"),
        message_event("onMessageAdded", CH, new, index=4, created=30, body="new"),
    ]
    for pairs in events if order == "in order" else events[::-1]:
        event = deliver(client, pairs)
        assert event.processing_state == "processed", event.processing_error
    assert {row.sid: (row.index, row.sync_state) for row in Message.objects.all()} == {
        old: (4, SyncState.DELETED_REMOTELY),
        new: (4, SyncState.SYNCED),
    }  # a deleted row keeps its index


def test_a_staff_edit_not_pushed_yet_is_kept(client):
    Message.objects.create(
        conversation=Conversation.objects.create(sid=CH, sync_state="synced"),
        sid=IM,
        index=0,
        body="staff edit",
        sync_state=SyncState.FAILED,
    )
    deliver(client, message_event("onMessageUpdated", CH, IM, index=0, updated=50, body="Twilio's"))
    assert Message.objects.get(sid=IM).body == "staff edit"
    outcome = outcome_of(client, message_event("onMessageRemoved", CH, IM, index=0, updated=50, body="Twilio's"))
    assert outcome == f"message {IM} marked deleted on Twilio; its unpushed local change is kept"
    row = Message.objects.get(sid=IM)
    assert (row.body, row.sync_state) == ("staff edit", SyncState.DELETED_REMOTELY)
