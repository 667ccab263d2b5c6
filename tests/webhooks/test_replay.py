"""Replaying one signed request 50 times, also concurrently, stores one event and one mirror change.

Twilio (or an attacker replaying a captured request) may deliver the same
signed event many times, at once. The inbox stores it once (unique dedup
key) and applies it once; applying it again changes nothing anyway.
Concurrent deliveries go to a live server: real threads, real transactions.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from django.db.models.signals import post_save

from conversations_ops.models import (
    Conversation,
    DeliveryReceipt,
    Message,
    Participant,
    ProcessingState,
    SyncState,
    WebhookEvent,
)
from conversations_ops.webhooks.apply import webhook_event_apply
from conversations_ops.webhooks.inbox import webhook_inbox_drain
from tests.webhooks.builders import BUSINESS_SMS, COURIER, delivery_event, message_event, participant_event, sid

from .signing import PATHS, sign, signed_post

CH, IM = sid("CH"), sid("IM")
REPLAYS = 50


@contextmanager
def mirror_saves():
    """Counts every save of a mirror row, from any thread (the live server's too)."""
    saves, lock = [], threading.Lock()

    def count(sender, instance, **kwargs):
        with lock:
            saves.append((sender.__name__, instance.sid))

    for model in (Conversation, Participant, Message, DeliveryReceipt):
        post_save.connect(count, sender=model, weak=False, dispatch_uid=f"replay-{model.__name__}")
    try:
        yield saves
    finally:
        for model in (Conversation, Participant, Message, DeliveryReceipt):
            post_save.disconnect(sender=model, dispatch_uid=f"replay-{model.__name__}")


# The live server's listen backlog is small (socketserver's 5): more connections
# at once are reset before Django sees them. Ten at a time is still a race.
AT_ONCE = 10


def post_concurrently(url_base: str, batches: list) -> list[int]:
    """Every request of `batches`, AT_ONCE at a time (a barrier releases each wave
    together); answers the status codes."""

    def post(item):
        endpoint, pairs = item
        path = PATHS[endpoint]
        signature = sign(path, pairs)
        barrier.wait(timeout=30)
        for attempt in range(3):
            try:
                return requests.post(
                    url_base + path, data=pairs, headers={"X-Twilio-Signature": signature}, timeout=60
                ).status_code
            except requests.ConnectionError:  # reset before Django read it: nothing was received
                if attempt == 2:
                    raise
        return None

    statuses = []
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        for start in range(0, len(batches), AT_ONCE):
            wave = batches[start : start + AT_ONCE]
            barrier = threading.Barrier(len(wave))
            statuses += list(pool.map(post, wave))
    return statuses


@pytest.mark.django_db
def test_fifty_sequential_replays_store_one_event_and_change_the_mirror_once(client):
    Conversation.objects.create(sid=CH, sync_state=SyncState.SYNCED)
    pairs = message_event("onMessageAdded", CH, IM, index=0, body="Where is my order?", author="system")
    with mirror_saves() as saves:
        for _ in range(REPLAYS):
            assert signed_post(client, "conversations", pairs).status_code == 200
            webhook_inbox_drain(budget_seconds=5)
        event = WebhookEvent.objects.get()
        webhook_event_apply(event_id=event.pk)  # a worker whose lease ran out applies it once more

    assert saves == [("Message", IM)]
    event.refresh_from_db()
    assert event.processing_state == ProcessingState.PROCESSED
    assert Message.objects.get().body == "Where is my order?"


@pytest.mark.slow
def test_fifty_concurrent_replays_store_one_event_and_change_the_mirror_once(simulator):
    Conversation.objects.create(sid=CH, sync_state=SyncState.SYNCED)
    pairs = message_event("onMessageAdded", CH, IM, index=0, body="Where is my order?", author="system")

    with mirror_saves() as saves:
        statuses = post_concurrently(simulator.url, [("conversations", pairs)] * REPLAYS)

    assert statuses == [200] * REPLAYS
    event = WebhookEvent.objects.get()
    assert (event.processing_state, event.attempts) == (ProcessingState.PROCESSED, 1)
    assert saves == [("Message", IM)]
    assert Message.objects.count() == 1


@pytest.mark.slow
def test_related_events_racing_for_an_unknown_conversation_make_each_row_once(simulator):
    """A message, its receipt and a participant of a conversation the mirror has never
    seen, each delivered 10 times at once: every worker needs the conversation row."""
    mb, dy = sid("MB"), sid("DY")
    events = [
        ("conversations", message_event("onMessageAdded", CH, IM, index=0, body="hi", author="system")),
        ("conversations", delivery_event(CH, IM, dy, status="delivered", participant_sid=mb, channel="SMS")),
        ("conversations", participant_event("onParticipantAdded", CH, mb, address=COURIER, proxy=BUSINESS_SMS)),
    ]

    statuses = post_concurrently(simulator.url, events * 10)

    assert statuses == [200] * 30
    assert WebhookEvent.objects.count() == 3
    assert set(WebhookEvent.objects.values_list("processing_state", flat=True)) == {ProcessingState.PROCESSED}
    assert [
        Conversation.objects.count(),
        Message.objects.count(),
        Participant.objects.count(),
        DeliveryReceipt.objects.count(),
    ] == [1, 1, 1, 1]
    message = Message.objects.get()
    assert (message.body, message.delivery["delivered"]) == ("hi", "all")
