"""A run of onMessageAdded events applied together (appliers/messages_bulk.py)
leaves exactly the mirror and the event outcomes the one-by-one applier leaves.

The events are posted first and applied by one drain afterwards, as a busy
inbox does: a `db` test never commits, so nothing is applied on arrival.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations_ops.models import Message, SyncState, WebhookEvent
from conversations_ops.webhooks import inbox as webhook_inbox
from conversations_ops.webhooks.inbox import webhook_inbox_drain
from tests.webhooks.builders import (
    BUSINESS,
    BUSINESS_SMS,
    COURIER,
    CUSTOMER,
    conversation_event,
    deliver,
    message_event,
    mirror_snapshot,
    participant_event,
    sid,
    wipe_mirror,
)

from .signing import signed_post

pytestmark = pytest.mark.django_db

LIVE, GONE, UNKNOWN = sid("CH", 1), sid("CH", 2), sid("CH", 3)


def _setting_up(client) -> None:
    """Two conversations the mirror knows (one removed on Twilio), a customer and a courier."""
    deliver(client, conversation_event("onConversationAdded", LIVE, friendly_name="Order 7"))
    deliver(client, participant_event("onParticipantAdded", LIVE, sid("MB", 1), address=CUSTOMER, proxy=BUSINESS))
    deliver(client, participant_event("onParticipantAdded", LIVE, sid("MB", 2), address=COURIER, proxy=BUSINESS_SMS))
    deliver(client, message_event("onMessageAdded", LIVE, sid("IM", 900), index=3, body="already here"))
    deliver(client, conversation_event("onConversationAdded", GONE))
    deliver(client, conversation_event("onConversationRemoved", GONE, updated=5))


def _burst() -> list[list]:
    """New messages: most the bulk path takes, and each case it must leave alone."""
    events = []
    for n in range(12):  # both people and the system write; indexes 4..15
        author, participant = [(CUSTOMER, sid("MB", 1)), (COURIER, sid("MB", 2)), ("system", "")][n % 3]
        events.append(
            message_event(
                "onMessageAdded",
                LIVE,
                sid("IM", n + 1),
                index=n + 4,
                created=10 + n,
                body=f"message {n} with 'quotes' and \"more\"",
                author=author,
                participant_sid=participant,
                media=[{"sid": sid("ME", n)}] if n == 5 else None,
            )
        )
    events.append(message_event("onMessageAdded", LIVE, sid("IM", 50), index=3, body="index 3 is taken"))
    events.append(message_event("onMessageAdded", LIVE, sid("IM", 51), index=20, body="same index as the next"))
    events.append(message_event("onMessageAdded", LIVE, sid("IM", 52), index=20, body="index 20 again"))
    events.append(message_event("onMessageAdded", GONE, sid("IM", 60), index=0, body="in a removed conversation"))
    events.append(message_event("onMessageAdded", UNKNOWN, sid("IM", 70), index=0, body="conversation not known"))
    events.append(message_event("onMessageAdded", LIVE, sid("IM", 900), index=3, created=99, body="seen before"))
    return events


def _mirror_after_burst(client, *, bulk: bool, monkeypatch) -> tuple[dict, dict, int]:
    wipe_mirror()
    _setting_up(client)
    monkeypatch.setattr(webhook_inbox, "BULK_RUN", 25 if bulk else 1)
    monkeypatch.setattr(webhook_inbox, "BURST_RUN", 25 if bulk else 1)
    for pairs in _burst():
        assert signed_post(client, "conversations", pairs).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        webhook_inbox_drain(budget_seconds=10)
    outcomes = {
        event.message_sid: (event.processing_state, event.outcome)
        for event in WebhookEvent.objects.filter(event_type="onMessageAdded")
    }
    return mirror_snapshot(), outcomes, len(queries)


def test_bulk_path_leaves_the_same_mirror_and_outcomes_as_one_by_one(client, monkeypatch):
    one_by_one, one_by_one_outcomes, one_by_one_queries = _mirror_after_burst(
        client, bulk=False, monkeypatch=monkeypatch
    )
    bulk, bulk_outcomes, bulk_queries = _mirror_after_burst(client, bulk=True, monkeypatch=monkeypatch)

    assert bulk == one_by_one
    assert bulk_outcomes == one_by_one_outcomes
    # and it really took the bulk path for most of them
    assert bulk_queries < one_by_one_queries / 2, (bulk_queries, one_by_one_queries)


def test_bulk_path_stores_directions_deletions_and_leaves_the_rest(client, monkeypatch):
    _mirror_after_burst(client, bulk=True, monkeypatch=monkeypatch)

    by_sid = {m.sid: m for m in Message.objects.all()}
    assert by_sid[sid("IM", 1)].direction == "inbound"  # the customer wrote it
    assert by_sid[sid("IM", 2)].direction == "inbound"  # the courier
    assert by_sid[sid("IM", 3)].direction == "outbound"  # the system
    assert by_sid[sid("IM", 6)].media == [{"sid": sid("ME", 5)}]
    assert by_sid[sid("IM", 60)].sync_state == SyncState.DELETED_REMOTELY
    assert by_sid[sid("IM", 70)].conversation.sid == UNKNOWN  # a placeholder conversation was made
    # one message per index: the later claim on index 3 / 20 was settled by the one-by-one rules
    live_at_20 = Message.objects.filter(conversation__sid=LIVE, index=20).exclude(sync_state=SyncState.DELETED_REMOTELY)
    assert live_at_20.count() == 1
    outcomes = dict(WebhookEvent.objects.filter(event_type="onMessageAdded").values_list("message_sid", "outcome"))
    assert outcomes[sid("IM", 1)] == f"message {sid('IM', 1)} stored (index 4)"
    assert outcomes[sid("IM", 60)].endswith("(deleted on Twilio)")
    assert (
        not WebhookEvent.objects.exclude(processing_state__in=["processed"])
        .filter(event_type="onMessageAdded")
        .exists()
    )


def test_a_clash_with_another_worker_falls_back_to_one_by_one(client, monkeypatch):
    """Another worker stores one of the run's messages between the look-ups and
    the INSERT: the run is rolled back to its savepoint and settled one by one."""
    from conversations_ops.webhooks.appliers import messages_bulk

    wipe_mirror()
    _setting_up(client)
    for n in range(5):
        signed_post(
            client, "conversations", message_event("onMessageAdded", LIVE, sid("IM", n + 1), index=n + 4, body=f"m{n}")
        )
    real_bulk_create = Message.objects.bulk_create

    def racing_bulk_create(rows, *args, **kwargs):
        Message.objects.create(
            conversation=rows[0].conversation, sid=rows[2].sid, index=99, sync_state=SyncState.SYNCED
        )
        return real_bulk_create(rows, *args, **kwargs)

    monkeypatch.setattr(messages_bulk.Message.objects, "bulk_create", racing_bulk_create)
    webhook_inbox_drain(budget_seconds=10)

    events = WebhookEvent.objects.filter(event_type="onMessageAdded", message_sid__startswith="IM0")
    assert set(events.values_list("processing_state", flat=True)) == {"processed"}
    assert Message.objects.filter(sid__in=[sid("IM", n + 1) for n in range(5)]).count() == 5


def test_a_drain_out_of_time_leaves_the_rest_pending_for_the_next(client):
    import time

    wipe_mirror()
    _setting_up(client)
    for n in range(3):
        signed_post(
            client, "conversations", message_event("onMessageAdded", LIVE, sid("IM", n + 1), index=n + 4, body=f"m{n}")
        )
    batch = webhook_inbox._due_batch()
    assert len(batch) == 3
    assert webhook_inbox._apply_batch(batch, deadline=time.monotonic()) == 0
    pending = WebhookEvent.objects.filter(pk__in=[pk for pk, _ in batch])
    assert set(pending.values_list("processing_state", "locked_until")) == {("pending", None)}
    assert len(webhook_inbox._due_batch()) == 3  # the next drain takes them at once
    assert webhook_inbox._apply_batch(batch, deadline=time.monotonic() + 5) == 3
    assert set(pending.values_list("processing_state", flat=True)) == {"processed"}


def test_new_conversations_get_their_placeholders_in_the_same_bulk_write(client):
    """The first messages of conversations the mirror has not heard of (their
    onConversationAdded not in yet) take the bulk path too: one placeholder each."""
    wipe_mirror()
    new = [sid("CH", 40 + n) for n in range(3)]
    for n in range(12):
        signed_post(
            client,
            "conversations",
            message_event("onMessageAdded", new[n % 3], sid("IM", 300 + n), index=n // 3, body=f"m{n}"),
        )
    with CaptureQueriesContext(connection) as queries:
        webhook_inbox_drain(budget_seconds=10)

    from conversations_ops.models import Conversation

    assert sorted(Conversation.objects.values_list("sid", "sync_state")) == [(s, "synced") for s in new]
    assert sorted(Message.objects.filter(conversation__sid=new[1]).values_list("index", flat=True)) == [0, 1, 2, 3]
    assert set(WebhookEvent.objects.values_list("processing_state", flat=True)) == {"processed"}
    # One by one, each of the twelve costs ~14 (~170 in all); the bulk run a fixed few, clienteling's
    # activity lookup and PostgreSQL's savepoints included (20 there, fewer on SQLite).
    assert len(queries) < 30, len(queries)
