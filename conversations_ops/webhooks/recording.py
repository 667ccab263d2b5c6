"""Recording webhook deliveries: the inbox's write side, called by the gate views.

Only INSERTs here, no Twilio call and no mirror change: the request must
answer within Twilio's 5 seconds whatever the database or Twilio are doing.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from conversations_ops.db_writes import write_gate
from conversations_ops.models import ProcessingState, WebhookRejection
from conversations_ops.webhooks import inbox as webhook_inbox
from conversations_ops.webhooks.insert import webhook_event_insert
from conversations_ops.webhooks.parsing import ParsedEvent

logger = logging.getLogger(__name__)

# Request headers worth keeping with an event (never Authorization or cookies).
KEPT_HEADERS = (
    "X-Twilio-Signature",
    "X-Twilio-Webhooks-Signature-Settings",
    "I-Twilio-Idempotency-Token",
    "User-Agent",
    "Content-Type",
    "X-Forwarded-For",
    "X-Home-Region",
)


def kept_headers(request) -> dict:
    return {name: request.headers[name] for name in KEPT_HEADERS if name in request.headers}


def webhook_event_record(*, parsed: ParsedEvent, headers: dict, signed_url: str, algorithm: str) -> bool:
    """Stores a signed event once; answers False when it was a repeated delivery.

    A new event that has something to apply wakes the inbox worker.
    """
    state = ProcessingState.IGNORED if parsed.pre_event else ProcessingState.PENDING
    now = timezone.now()
    row = {
        "source": parsed.source,
        "event_type": parsed.event_type,
        "dedup_key": parsed.dedup_key,
        "params": parsed.params,
        "headers": headers,
        "signature_valid": True,
        "signature_algorithm": algorithm,
        "signed_url": signed_url[:1024],
        "received_at": now,
        "conversation_sid": parsed.conversation_sid,
        "message_sid": parsed.message_sid,
        "participant_sid": parsed.participant_sid,
        "processing_state": state,
        "processed_at": now if parsed.pre_event else None,
        "processing_error": "",
        "attempts": 0,
        "outcome": "Pre-event: answered 200 so Twilio publishes it unchanged." if parsed.pre_event else "",
        "locked_until": None,
    }
    with write_gate(urgent=True):
        stored = webhook_event_insert(row)
    if stored and state == ProcessingState.PENDING:
        webhook_inbox.inbox_wake()
    return stored


def webhook_rejection_count(*, reason: str) -> None:
    """Counts a refused request (nothing of it is stored)."""
    now = timezone.now()
    updated = WebhookRejection.objects.filter(reason=reason).update(count=F("count") + 1, last_at=now)
    if not updated:
        try:
            with transaction.atomic():
                WebhookRejection.objects.create(reason=reason, count=1, last_at=now)
        except IntegrityError:  # another request created it first
            WebhookRejection.objects.filter(reason=reason).update(count=F("count") + 1, last_at=now)
