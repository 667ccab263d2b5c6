"""What needs attention, for the admin home page: a few counts, each read with one query.

Every count is bounded whatever the size of the tables: either by an indexed state
column whose rows staff clear (failed pushes and pairings, the mirrors' failed rows,
open template alerts) or by a time window (deliveries and webhook events of the last
24 hours). Nothing is counted for a model the user may not view, so nothing is queried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import CharField, Count, Q, Value
from django.utils import timezone

from conversations_ops.messaging.templates import template_alerts_open
from conversations_ops.models import (
    FAILED_RECEIPT_STATUSES,
    AddressConfiguration,
    Conversation,
    ConversationWebhook,
    DeliveryReceipt,
    Message,
    OperationState,
    Pairing,
    PairingState,
    Participant,
    ProcessingState,
    SyncOperation,
    SyncState,
    WebhookEvent,
)
from conversations_ops.selectors.history import failed_needing_attention
from conversations_ops.twilio.errors import explain

WINDOW = timedelta(hours=24)
CONNECTING_TOO_LONG = timedelta(minutes=5)
TOP_REASONS = 3
# The mirrors that are pushed through the outbox: only a push marks a row failed.
PUSHED_MIRRORS = (AddressConfiguration, Conversation, Participant, ConversationWebhook, Message)


@dataclass(frozen=True)
class Reason:
    code: int | None
    title: str
    count: int


@dataclass(frozen=True)
class Failures:
    total: int
    reasons: list[Reason]  # the most common first, at most TOP_REASONS


@dataclass
class Attention:
    """None (or absent from a dict) means the user may not view that model."""

    failed_pushes: Failures | None = None
    failed_rows: dict[str, int] = field(default_factory=dict)  # model name -> rows with sync_state failed
    failed_deliveries: Failures | None = None
    template_alerts: bool | None = None
    pairings: dict[str, int] | None = None  # awaiting_customer / connecting / failed -> waiting too long
    webhook_events: dict[str, int] | None = None  # failed / unhandled -> received in the last 24 h
    checked: bool = False  # whether the user may view anything counted here ("All clear" means something)


def may_view(user, model) -> bool:
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")


def dashboard_attention(*, user, now=None) -> Attention:
    now = now or timezone.now()
    attention = Attention()
    if may_view(user, SyncOperation):
        attention.failed_pushes = failed_pushes()
    mirrors = [m for m in PUSHED_MIRRORS if may_view(user, m)]
    attention.failed_rows = failed_rows(mirrors)
    if may_view(user, Message) and may_view(user, DeliveryReceipt):
        attention.failed_deliveries = failed_deliveries(since=now - WINDOW)
    if user.has_perm("conversations_ops.view_templatestatuschange"):
        attention.template_alerts = template_alerts_open().exists()
    if may_view(user, Pairing):
        attention.pairings = pairings_waiting(now=now)
    if may_view(user, WebhookEvent):
        attention.webhook_events = webhook_problems(since=now - WINDOW)
    sections = (
        attention.failed_pushes,
        attention.failed_deliveries,
        attention.template_alerts,
        attention.pairings,
        attention.webhook_events,
    )
    attention.checked = bool(mirrors) or any(section is not None for section in sections)
    return attention


def _failures(rows) -> Failures:
    """(code, title, count) rows -> the total and the most common titles, each with a code."""
    by_title: dict[str, list] = {}
    for code, title, n in rows:
        entry = by_title.setdefault(title, [code, 0])
        entry[0], entry[1] = entry[0] or code, entry[1] + n  # a bare HTTP 429 shows as 20429
    reasons = [Reason(code, title, n) for title, (code, n) in by_title.items()]
    reasons.sort(key=lambda r: (-r.count, r.title))
    return Failures(total=sum(r.count for r in reasons), reasons=reasons[:TOP_REASONS])


def failed_pushes() -> Failures:
    """Failed outbox operations (state is the first column of syncop_due_idx) by Twilio code."""
    rows = (
        SyncOperation.objects.filter(state=OperationState.FAILED)
        .order_by()
        .values_list("last_error_code", "last_error_status")
        .annotate(n=Count("pk"))
    )
    # Grouped by status too, so that a bare HTTP 429 reads like 20429 and is counted with it.
    return _failures((code, explain(code, status).title, n) for code, status, n in rows)


def failed_rows(models) -> dict[str, int]:
    """Rows with sync_state failed per model (sync_state is indexed), in one UNION ALL."""
    if not models:
        return {}
    parts = [
        m.objects.filter(sync_state=SyncState.FAILED)
        .order_by()
        .values(kind=Value(m._meta.model_name, output_field=CharField()))
        .annotate(n=Count("pk"))
        for m in models
    ]
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {row["kind"]: row["n"] for row in query if row["n"]}


def failed_deliveries(*, since) -> Failures:
    """Messages Twilio created since `since` that failed for someone, less a pairing's expected
    63016 (selectors/expected_failures.py): exactly the message list's "Failed, needing
    attention" over the same 24 h, so the count and the list it links to agree. The reasons
    are their failed receipts' codes, each message counted once per code."""
    failed = failed_needing_attention(Message.objects.filter(date_created__gte=since))
    total = failed.count()
    if not total:
        return Failures(total=0, reasons=[])
    rows = (
        DeliveryReceipt.objects.filter(status__in=FAILED_RECEIPT_STATUSES, message__in=failed.values("pk"))
        .order_by()
        .values_list("error_code")
        .annotate(n=Count("message_id", distinct=True))
    )
    reasons = _failures((code, explain(code, None).title if code else "No error code given", n) for code, n in rows)
    return Failures(total=total, reasons=reasons.reasons)


def _connecting_too_long(now) -> Q:
    return Q(state=PairingState.CONNECTING, replied_at__lt=now - CONNECTING_TOO_LONG)


def pairings_connecting_too_long(*, now):
    """Pairings connecting the courier for over CONNECTING_TOO_LONG (state leads pairing_state_idx)."""
    return Pairing.objects.filter(_connecting_too_long(now))


def pairings_awaiting_too_long(*, now) -> list[int]:
    """Ids of pairings waiting for the customer past half their reply timeout (or past their expiry).

    "Past half the reply timeout" compares with a per-row duration, which SQLite
    cannot multiply in SQL; awaiting pairings expire within that timeout, so the
    rows read here are the few live ones, never the history.
    """
    awaiting = (
        Pairing.objects.filter(state=PairingState.AWAITING_CUSTOMER)
        .order_by()
        .values_list("pk", "invited_at", "reply_timeout_minutes", "expires_at")
    )
    return [
        pk
        for pk, invited_at, minutes, expires_at in awaiting
        if (expires_at and expires_at <= now) or (invited_at and invited_at + timedelta(minutes=minutes) / 2 <= now)
    ]


def pairings_waiting(*, now) -> dict[str, int]:
    """Pairings stuck in a state: how many of each (the pairing list's "waiting" filter lists them)."""
    counts = Pairing.objects.filter(state__in=(PairingState.CONNECTING, PairingState.FAILED)).aggregate(
        connecting=Count("pk", filter=_connecting_too_long(now)),
        failed=Count("pk", filter=Q(state=PairingState.FAILED)),
    )
    counts["awaiting_customer"] = len(pairings_awaiting_too_long(now=now))
    return counts


def webhook_problems(*, since) -> dict[str, int]:
    """Events received since `since` that failed or that the console does not handle.

    The inbox index (processing_state, id) narrows the read to events in those two
    states; received_at has no index on purpose (each one costs every webhook INSERT).
    """
    states = (ProcessingState.FAILED, ProcessingState.UNHANDLED)
    return WebhookEvent.objects.filter(processing_state__in=states, received_at__gte=since).aggregate(
        **{state.value: Count("pk", filter=Q(processing_state=state)) for state in states}
    )
