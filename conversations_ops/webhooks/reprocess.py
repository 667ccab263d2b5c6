"""Staff ask for stored webhook events to be applied again (the admin's Reprocess action).

Safe because appliers are idempotent and order-tolerant: an event applied a
second time, or after newer ones, leaves the mirror as it was. Useful after
a fix, for a failed event, or for an unhandled one once an applier exists.
"""

import dataclasses
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from conversations_ops.audit.entries import audit_record
from conversations_ops.models import ProcessingState, WebhookEvent
from conversations_ops.webhooks import inbox as webhook_inbox
from conversations_ops.webhooks.parsing import PRE_EVENTS


@dataclass(frozen=True)
class ReprocessReport:
    queued: int = 0
    pre_events: int = 0
    already_pending: int = 0

    def message(self) -> str:
        parts = [f"{self.queued} event{'s' if self.queued != 1 else ''} queued to be applied again"]
        if self.pre_events:
            parts.append(
                f"{self.pre_events} pre-event{'s' if self.pre_events != 1 else ''} skipped "
                "(answered to Twilio at the time; nothing to apply)"
            )
        if self.already_pending:
            parts.append(f"{self.already_pending} already pending, left to the worker")
        return "Reprocess: " + "; ".join(parts) + "."


def webhook_events_reprocess(*, events, user=None) -> ReprocessReport:
    """Sets the given events pending again, with a fresh set of attempts, and wakes the inbox.

    `events` is a WebhookEvent queryset (or an iterable of events). Pre-events
    are skipped. Events still pending are left alone: a worker may hold one
    right now, and clearing its claim would let a second worker apply it at
    the same time.
    """
    ids = events.values("pk") if hasattr(events, "values") else [event.pk for event in events]
    chosen = WebhookEvent.objects.filter(pk__in=ids)
    is_pre = Q(event_type__in=PRE_EVENTS)
    by = f" by {user}" if user is not None else ""
    with transaction.atomic():
        counts = chosen.aggregate(
            pre=Count("pk", filter=is_pre),
            pending=Count("pk", filter=~is_pre & Q(processing_state=ProcessingState.PENDING)),
        )
        queued = (
            chosen.exclude(is_pre)
            .exclude(processing_state=ProcessingState.PENDING)
            .update(
                processing_state=ProcessingState.PENDING,
                attempts=0,
                processing_error="",
                processed_at=None,
                locked_until=None,
                outcome=f"Queued to be applied again{by}."[:500],
            )
        )
        if queued:
            webhook_inbox.inbox_wake()  # after commit
    report = ReprocessReport(queued=queued, pre_events=counts["pre"], already_pending=counts["pending"])
    ids = list(chosen.order_by("pk").values_list("pk", flat=True)[:100])  # the audit names the events chosen
    audit_record(
        action="webhook_events.reprocess",
        user=user,
        target=chosen.first() if len(ids) == 1 else None,
        detail={**dataclasses.asdict(report), "events": ids},
    )
    return report
