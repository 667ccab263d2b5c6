"""Conversation events: mapping as the pull maps, version guard, tombstones, state changes."""

import pytest

from conversations_ops.mirror.mapping import apply_conversation
from conversations_ops.models import Conversation, Message, Participant, SyncState
from conversations_ops.twilio.records import RemoteConversation
from conversations_ops.webhooks.apply import webhook_event_apply
from tests.webhooks.builders import (
    CHAT_SERVICE,
    MESSAGING_SERVICE,
    at,
    conversation_event,
    deliver,
    message_event,
    outcome_of,
    participant_event,
    sid,
    state_event,
)

from .signing import signed_post

pytestmark = pytest.mark.django_db
CH = sid("CH")


def test_added_stores_the_conversation_as_the_pull_would(client):
    outcome = outcome_of(
        client,
        conversation_event(
            "onConversationAdded",
            CH,
            created=0,
            updated=0,
            friendly_name="Order 7",
            unique_name="order-7",
            attributes='{"order": 7}',
        ),
    )

    row = Conversation.objects.get(sid=CH)
    assert outcome == f"conversation {CH} stored (active)"
    pulled = Conversation()
    apply_conversation(
        pulled,
        RemoteConversation(
            sid=CH,
            unique_name="order-7",
            friendly_name="Order 7",
            attributes='{"order": 7}',
            state="active",
            chat_service_sid=CHAT_SERVICE,
            messaging_service_sid=MESSAGING_SERVICE,
            date_created=at(0),
            date_updated=at(0),
        ),
    )
    for name in (
        "unique_name",
        "friendly_name",
        "attributes",
        "state",
        "chat_service_sid",
        "messaging_service_sid",
        "date_created",
        "date_updated",
        "sync_state",
    ):
        assert getattr(row, name) == getattr(pulled, name), name
    assert row.last_seen_at is None, "only a pull's listing sees rows"


def test_a_newer_update_applies_an_older_one_is_skipped_and_a_replay_changes_nothing(client):
    deliver(client, conversation_event("onConversationAdded", CH, friendly_name="Order 7"))
    newer = conversation_event("onConversationUpdated", CH, updated=10, friendly_name="Order 7 (late)")
    newer_event = deliver(client, newer)
    assert newer_event.outcome == f"conversation {CH} updated (active): date_updated, friendly_name"
    stamp = Conversation.objects.get(sid=CH).updated_at

    outcome = outcome_of(client, conversation_event("onConversationUpdated", CH, updated=5, friendly_name="Old"))

    assert outcome.startswith(f"skipped: conversation {CH}: mirror already newer (DateUpdated 2025-03-01T12:00:10.000Z")
    row = Conversation.objects.get(sid=CH)
    assert (row.friendly_name, row.updated_at) == ("Order 7 (late)", stamp)
    assert signed_post(client, "conversations", newer).status_code == 200  # Twilio sends it again: not stored
    again = webhook_event_apply(event_id=newer_event.pk)  # a worker applies it a second time (expired lease)
    assert again.outcome == f"conversation {CH} unchanged"
    assert Conversation.objects.get(sid=CH).updated_at == stamp


def test_timers_are_left_alone_since_no_webhook_carries_them(client):
    Conversation.objects.create(sid=CH, sync_state=SyncState.SYNCED, date_inactive=at(600), date_closed=at(6000))
    deliver(client, conversation_event("onConversationUpdated", CH, updated=1, friendly_name="x"))
    row = Conversation.objects.get(sid=CH)
    assert (row.friendly_name, row.date_inactive, row.date_closed) == ("x", at(600), at(6000))


def test_removed_marks_it_and_its_children_deleted_and_nothing_brings_it_back(client):
    deliver(client, conversation_event("onConversationAdded", CH))
    deliver(
        client, participant_event("onParticipantAdded", CH, sid("MB"), address="+15017122663", proxy="+14155550101")
    )
    deliver(client, message_event("onMessageAdded", CH, sid("IM"), index=0, body="hi"))

    outcome = outcome_of(client, conversation_event("onConversationRemoved", CH, updated=3, removed=4))

    assert outcome.startswith(f"conversation {CH} updated (active) (deleted on Twilio): sync_state")
    assert "2 participants/messages marked deleted with it" in outcome
    assert Conversation.objects.get(sid=CH).sync_state == SyncState.DELETED_REMOTELY
    assert {p.sync_state for p in Participant.objects.all()} == {SyncState.DELETED_REMOTELY}
    assert {m.sync_state for m in Message.objects.all()} == {SyncState.DELETED_REMOTELY}
    for late in (
        conversation_event("onConversationUpdated", CH, updated=2, friendly_name="late"),
        conversation_event("onConversationAdded", CH),
    ):
        deliver(client, late)
        assert Conversation.objects.get(sid=CH).sync_state == SyncState.DELETED_REMOTELY


def test_removed_before_added_leaves_a_tombstone_the_added_cannot_revive(client):
    outcome = outcome_of(client, conversation_event("onConversationRemoved", CH, updated=3, friendly_name="Gone"))
    assert outcome == f"conversation {CH} stored (active) (deleted on Twilio)"

    outcome = outcome_of(client, conversation_event("onConversationAdded", CH, friendly_name="First"))

    assert outcome.startswith(f"skipped: conversation {CH}: mirror already newer")
    row = Conversation.objects.get(sid=CH)
    assert (row.friendly_name, row.sync_state) == ("Gone", SyncState.DELETED_REMOTELY)


def test_a_child_arriving_after_the_removal_is_stored_deleted(client):
    deliver(client, conversation_event("onConversationRemoved", CH, updated=3))
    deliver(client, message_event("onMessageAdded", CH, sid("IM"), index=0, created=1, body="late"))
    assert Message.objects.get(sid=sid("IM")).sync_state == SyncState.DELETED_REMOTELY


def test_a_row_pending_a_staff_push_keeps_its_values(client):
    Conversation.objects.create(sid=CH, friendly_name="Staff typed this", sync_state=SyncState.PENDING)
    outcome = outcome_of(client, conversation_event("onConversationUpdated", CH, updated=9, friendly_name="Twilio"))
    assert outcome == f"skipped: conversation {CH} holds a staff change not pushed yet (the push settles it)"
    assert Conversation.objects.get(sid=CH).friendly_name == "Staff typed this"


def test_the_twilio_copy_of_a_local_row_without_sid_is_left_to_the_push_runner(client):
    local = Conversation.objects.create(unique_name="order-9", sync_state=SyncState.PENDING)
    outcome = outcome_of(client, conversation_event("onConversationAdded", CH, unique_name="order-9"))
    assert outcome.startswith(f"skipped: conversation {CH} is the Twilio copy of a local row")
    assert list(Conversation.objects.values_list("pk", flat=True)) == [local.pk]


def test_a_unique_name_moved_to_another_conversation_is_released_by_the_older_one(client):
    old, new = sid("CH", 1), sid("CH", 2)
    deliver(client, conversation_event("onConversationAdded", old, unique_name="order-1"))
    outcome = outcome_of(
        client, conversation_event("onConversationAdded", new, created=9, updated=9, unique_name="order-1")
    )
    assert f"conversation {old} gave up unique name 'order-1'" in outcome
    assert dict(Conversation.objects.values_list("sid", "unique_name")) == {old: "", new: "order-1"}


def test_state_events_move_the_state_forward_only(client):
    deliver(client, conversation_event("onConversationAdded", CH, updated=0))
    assert outcome_of(client, state_event(CH, state_from="active", state_to="inactive", when=60, reason="TIMER")) == (
        f"conversation {CH} active -> inactive (TIMER): stored"
    )
    row = Conversation.objects.get(sid=CH)
    assert (row.state, row.date_updated) == ("inactive", at(0)), "a state change is not a new version of the fields"

    deliver(client, state_event(CH, state_from="inactive", state_to="closed", when=120, reason="TIMER"))
    outcome = outcome_of(client, state_event(CH, state_from="active", state_to="inactive", when=90))
    assert outcome.endswith("a later state change (to closed) is already in the inbox")
    # A snapshot older than the state change still brings its other fields, not its state.
    deliver(client, conversation_event("onConversationUpdated", CH, updated=30, friendly_name="Renamed"))
    row = Conversation.objects.get(sid=CH)
    assert (row.state, row.friendly_name) == ("closed", "Renamed")


def test_a_state_event_older_than_the_mirror_is_skipped(client):
    deliver(client, conversation_event("onConversationUpdated", CH, updated=100, state="closed"))
    outcome = outcome_of(client, state_event(CH, state_from="active", state_to="inactive", when=50))
    assert outcome.startswith(f"skipped: conversation {CH} active -> inactive (API): mirror already newer")
    assert Conversation.objects.get(sid=CH).state == "closed"
