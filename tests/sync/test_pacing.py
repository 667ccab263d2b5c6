"""The shared token bucket: never more than 30 actions in any 1-second window, across threads."""

import threading
import time
from bisect import bisect_left

import pytest
from django.db import connection

from conversations_ops.models import Conversation, Message, PacingBucket, Participant
from conversations_ops.outbox.pacing import BURST, SERVICE_KEY, pacing_acquire, pacing_key


def _take(key, max_wait=5.0):
    grant = pacing_acquire(key=key, max_wait=max_wait)
    if grant.granted and grant.wait:
        time.sleep(grant.wait)
    return grant


def _busiest_second(stamps) -> int:
    stamps = sorted(stamps)
    return max(bisect_left(stamps, t + 1.0) - i for i, t in enumerate(stamps))


@pytest.fixture
def frozen_clock(monkeypatch):
    """The bucket's clock stands still: waits are exact, whatever the machine's load."""
    from django.utils import timezone

    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


@pytest.mark.django_db
def test_a_burst_of_two_then_one_slot_every_forty_milliseconds(frozen_clock):
    assert BURST == 2
    waits = [pacing_acquire(key="conversation:CH1", max_wait=5).wait for _ in range(5)]
    assert waits[:2] == [0, 0]
    assert waits[2:] == pytest.approx([0.04, 0.08, 0.12])  # reserved slots queue up
    assert PacingBucket.objects.get(key="conversation:CH1").tokens == pytest.approx(-3)


@pytest.mark.django_db
def test_a_wait_longer_than_accepted_reserves_nothing(frozen_clock):
    for _ in range(int(BURST)):
        pacing_acquire(key="service:default", max_wait=0)
    grant = pacing_acquire(key="service:default", max_wait=0.01)
    assert (grant.granted, grant.wait > 0.01) == (False, True)
    tokens = PacingBucket.objects.get(key="service:default").tokens
    assert pacing_acquire(key="service:default", max_wait=0.01).granted is False
    assert PacingBucket.objects.get(key="service:default").tokens == tokens


@pytest.mark.django_db
def test_buckets_are_independent_per_key():
    for _ in range(int(BURST)):
        pacing_acquire(key="conversation:A", max_wait=0)
    assert pacing_acquire(key="conversation:B", max_wait=0).wait == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_threads_never_get_more_than_30_grants_in_any_second():
    stamps, lock = [], threading.Lock()

    def worker():
        try:
            stop = time.monotonic() + 2.5
            while time.monotonic() < stop:
                if _take("conversation:hot", max_wait=0.5).granted:
                    with lock:
                        stamps.append(time.monotonic())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stamps) >= 60  # both kept asking: the bucket, not idleness, set the pace
    assert _busiest_second(stamps) <= 30


@pytest.mark.django_db
def test_scopes_follow_twilio_conversation_and_service_limits():
    conversation = Conversation.objects.create(sid="CH" + "1" * 32)
    participant = Participant.objects.create(conversation=conversation, identity="ana")
    message = Message.objects.create(conversation=conversation, body="hi")
    expected = f"conversation:{conversation.sid}"
    assert pacing_key(operation="conversation.create", row=conversation, payload={}) == SERVICE_KEY
    assert pacing_key(operation="conversation.delete", row=None, payload={"sid": conversation.sid}) == SERVICE_KEY
    assert pacing_key(operation="conversation.update", row=conversation, payload={}) == expected
    assert pacing_key(operation="participant.add", row=participant, payload={}) == expected
    assert pacing_key(operation="message.send", row=message, payload={}) == expected
    gone = {"conversation_sid": "CHx", "sid": "MBx"}
    assert pacing_key(operation="participant.remove", row=None, payload=gone) == "conversation:CHx"
    assert pacing_key(operation="address_configuration.create", row=None, payload={}) is None
