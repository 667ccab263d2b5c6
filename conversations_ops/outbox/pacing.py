"""Pacing: stay under Twilio's 30 actions/s per conversation and per service.

A token bucket per scope key, kept in a PacingBucket row so every worker of
every process draws from the same bucket. The row is read and written under
a row lock (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the write lock that
BEGIN IMMEDIATE takes), so two workers never spend the same token.

Rate 25/s with a burst of 2: in any 1-second window at most 2 + 25 = 27
actions start, under Twilio's 30. The margin is for jitter between a grant
and its request reaching Twilio: requests granted over 1.12 s can arrive
within one second (a burst of 5 left no margin at all, and CI once saw a
429 from four workers creating conversations at once).

A caller short of a token *reserves* the next free slot (the bucket goes
negative) and sleeps until it; reserving keeps waiting workers in arrival
order instead of racing each other. A wait longer than the caller accepts
reserves nothing: the operation goes back to the outbox for later.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from conversations_ops.models import PacingBucket
from conversations_ops.outbox.operations import OPERATIONS

RATE_PER_SECOND = 25.0
BURST = 2.0
# The console creates every conversation in the account's default
# Conversation Service (the gateway takes no service), so one service bucket
# is exact for creates; counting deletes of conversations from other
# services against it too can only slow us down, never exceed a limit.
SERVICE_KEY = "service:default"


@dataclass(frozen=True)
class Grant:
    granted: bool  # False: the wait was longer than accepted; nothing reserved
    wait: float  # seconds to sleep before acting (0.0: act now)


def pacing_acquire(*, key: str, max_wait: float) -> Grant:
    with transaction.atomic():
        now = timezone.now()
        bucket, _ = PacingBucket.objects.select_for_update().get_or_create(
            key=key, defaults={"tokens": BURST, "updated_at": now}
        )
        # Read the clock again under the lock: time spent waiting for the
        # lock must not count as refill time twice.
        now = max(timezone.now(), bucket.updated_at)
        elapsed = (now - bucket.updated_at).total_seconds()
        tokens = min(BURST, bucket.tokens + elapsed * RATE_PER_SECOND)
        wait = max(0.0, (1.0 - tokens) / RATE_PER_SECOND)
        if wait > max_wait:
            return Grant(granted=False, wait=wait)
        bucket.tokens, bucket.updated_at = tokens - 1.0, now
        bucket.save(update_fields=["tokens", "updated_at"])
        return Grant(granted=True, wait=wait)


def pacing_key(*, operation: str, row, payload: dict) -> str | None:
    """The bucket an operation draws from, or None when Twilio does not rate-limit it."""
    scope = OPERATIONS[operation].pacing if operation in OPERATIONS else None
    if scope == "service":
        return SERVICE_KEY
    if scope != "conversation":
        return None
    if row is None:  # a delete whose row is already gone
        return f"conversation:{payload.get('conversation_sid') or payload.get('sid')}"
    conversation = row if row._meta.model_name == "conversation" else row.conversation
    return f"conversation:{conversation.sid or conversation.local_id}"
