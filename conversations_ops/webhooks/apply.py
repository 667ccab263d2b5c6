"""Applying one stored event: dispatch by event type, record the outcome.

`APPLIERS` (webhooks/appliers) maps an event type to a function
`(event, params) -> str` that changes the mirror idempotently and answers a
line for staff. An event type without an applier is kept as "unhandled".

An applier runs in one transaction, unless it is marked
`outside_transaction = True`: one that waits on Twilio (the sandbox flow)
must not hold SQLite's write lock meanwhile; it manages its own writes.
A failure is retried later (2, 4, 8, 16 s) unless the exception says
`retryable = False` (e.g. Twilio refused with a 4xx: retrying cannot help);
an exception marked `expected = True` is a normal wait, logged without a traceback.
"""

import logging
from datetime import datetime, timedelta

from django.db import connections, router, transaction
from django.utils import timezone

from conversations_ops.clienteling.routing import clienteling_route_many
from conversations_ops.consent.inbound import consent_messages_note
from conversations_ops.db_writes import write_transaction
from conversations_ops.mirror.activity import customer_activity_refresh
from conversations_ops.models import ProcessingState, WebhookEvent
from conversations_ops.pairings.flow import pairing_replies_check
from conversations_ops.webhooks.appliers import APPLIERS, messages_bulk
from conversations_ops.webhooks.parsing import EventParams

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def applies_in_bulk(event_type: str) -> bool:
    return event_type == messages_bulk.EVENT_TYPE


def webhook_events_apply_bulk(*, event_ids: list[int]) -> list[int]:
    """Applies a run of onMessageAdded events together where it can (see
    appliers/messages_bulk.py); answers the ids left for webhook_event_apply.

    The reading happens first, outside any transaction; only the INSERT and
    the events' bookkeeping take the write gate (on SQLite: one short hold
    for up to a hundred events)."""
    events = list(WebhookEvent.objects.filter(pk__in=event_ids).only("pk", "params").order_by("pk"))
    planned = messages_bulk.plan(events)
    if not planned.rows:
        return [event.pk for event in planned.left]
    with write_transaction():
        stored = messages_bulk.store(planned)
        if stored:
            _record_results(
                [(pk, ProcessingState.PROCESSED, outcome, "", None) for pk, outcome in planned.outcomes.items()]
            )
            # What the people's messages say about consent (STOP, START, HELP, writing first), first:
            # a STOP answering a pairing's invite closes the pairing before the reply check sees it.
            consent_messages_note(message_sids=[row.sid for row in planned.rows])
            # A customer's reply may be among them: the pairing waiting for it moves on.
            pairing_replies_check(conversation_ids={row.conversation_id for row in planned.rows})
            # And a customer's first message on a clienteling sender reaches an advisor.
            clienteling_route_many(conversation_ids={row.conversation_id for row in planned.rows})
            # And the advisor's inbox (order, unread count, last message) follows.
            customer_activity_refresh(conversation_ids={row.conversation_id for row in planned.rows})
    if not stored:
        return [event.pk for event in events]
    return [event.pk for event in planned.left]


def _record_results(results: list[tuple[int, str, str, str, datetime | None]]) -> None:
    """Writes what applying did onto each event: (id, state, outcome, error, retry at).

    The one way an applied event is settled, for one event or a bulk run: one
    statement run per event (executemany); bulk_update's CASE per field cost
    more than applying the events themselves."""
    if not results:
        return
    connection = connections[router.db_for_write(WebhookEvent)]
    quote, table = connection.ops.quote_name, connection.ops.quote_name(WebhookEvent._meta.db_table)
    now = timezone.now()
    sql = (
        f"UPDATE {table} SET {quote('processing_state')} = %s, {quote('outcome')} = %s, "
        f"{quote('processing_error')} = %s, {quote('attempts')} = {quote('attempts')} + 1, "
        f"{quote('processed_at')} = %s, {quote('locked_until')} = %s WHERE {quote('id')} = %s"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (
                    state,
                    outcome[:500],
                    error,
                    adapt(now if state != ProcessingState.PENDING else None),
                    adapt(retry_at),
                    pk,
                )
                for pk, state, outcome, error, retry_at in results
            ],
        )


def runs_outside_transaction(event_type: str) -> bool:
    return getattr(APPLIERS.get(event_type), "outside_transaction", False)


def webhook_event_apply(*, event_id: int) -> WebhookEvent:
    event = WebhookEvent.objects.get(pk=event_id)
    applier = APPLIERS.get(event.event_type)
    now = timezone.now()
    if applier is None:
        state, outcome, error = ProcessingState.UNHANDLED, "No applier for this event type: kept as received.", ""
    else:
        try:
            if getattr(applier, "outside_transaction", False):
                outcome = applier(event, EventParams(event.params))
            else:
                with transaction.atomic():
                    outcome = applier(event, EventParams(event.params))
            state, error = ProcessingState.PROCESSED, ""
        except Exception as exc:  # kept on the event for staff; the inbox goes on
            if getattr(exc, "expected", False):
                logger.info("Webhook event %s (%s) waits: %s", event.pk, event.event_type, exc)
            else:
                logger.exception("Applying webhook event %s (%s) failed", event.pk, event.event_type)
            error = f"{exc.__class__.__name__}: {exc}"[:2000]
            outcome = ""
            final = event.attempts + 1 >= MAX_ATTEMPTS or not getattr(exc, "retryable", True)
            state = ProcessingState.FAILED if final else ProcessingState.PENDING
    retry_at = None
    if state == ProcessingState.PENDING:  # try again later, not in a tight loop: 2, 4, 8, 16 s
        retry_at = now + timedelta(seconds=2 ** (event.attempts + 1))
    _record_results([(event.pk, state, outcome, error, retry_at)])
    event.refresh_from_db()
    return event
