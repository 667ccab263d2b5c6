"""A clienteling customer's activity, kept on the Customer row as their messages are recorded (issue 19).

The inbox lists thousands of customers ordered by who waits longest, with unread counts
and the last message: read from the message table per customer, that is one query per
row (and, at a million messages, slow ones). So every place a message is recorded calls
`customer_activity_refresh` with the conversations it touched: the one-by-one and the
bulk message appliers (webhooks/), the pull (pull/resources.py) and the send path
(services/messages.py), and clienteling when it links a conversation to a customer. It lives in
the mirror because every path that writes messages may import it (docs/architecture.md).
It recomputes the customer's fields from their messages rather
than adding to them, so an event applied twice, out of order or removed later leaves the
same values, whichever path recorded it.

The "customer of this conversation" lookup is one indexed query (CustomerConversation's
unique conversation); a console that does not use clienteling stops there. The customer
row is locked first, so two workers recording messages of one customer at once take
turns and the second sees the first's message (PostgreSQL's READ COMMITTED).
"""

from __future__ import annotations

from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce

from conversations_ops.models import Customer, CustomerConversation, Direction, Message, SyncState

PREVIEW_LENGTH = 120
ACTIVITY_FIELDS = (
    "last_inbound_at",
    "last_outbound_at",
    "last_message_at",
    "awaiting_reply_since",
    "last_message_preview",
    "last_message_inbound",
    "unread_count",
)


def customer_activity_refresh(*, conversation_ids) -> int:
    """Recomputes the activity of the customers of these conversations; answers how many.
    Call it in the transaction that recorded the messages."""
    ids = {pk for pk in conversation_ids if pk is not None}
    if not ids:
        return 0
    customer_ids = set(
        CustomerConversation.objects.filter(conversation_id__in=ids).values_list("customer_id", flat=True)
    )
    if not customer_ids:
        return 0  # not clienteling conversations
    customers = Customer.objects.select_for_update().filter(pk__in=customer_ids).order_by("pk")
    for customer in customers:
        activity_update(customer, Message.objects)
    return len(customer_ids)


def activity_update(customer, messages) -> None:
    """Sets and saves `customer`'s activity fields from `messages` (a Message manager: the
    migration that backfills them passes its historical one)."""
    values = activity_values(
        messages.filter(conversation__customer_link__customer_id=customer.pk), read_at=customer.advisor_read_at
    )
    changed = [name for name in ACTIVITY_FIELDS if getattr(customer, name) != values[name]]
    if changed:
        for name in changed:
            setattr(customer, name, values[name])
        type(customer).objects.filter(pk=customer.pk).update(**{name: values[name] for name in changed})


def activity_values(messages, *, read_at) -> dict:
    """The activity fields from one customer's messages (two queries)."""
    # Twilio's time when it gave one (the window's clock too); a message still in the outbox: ours.
    live = (
        messages.exclude(sync_state=SyncState.DELETED_REMOTELY)
        # A receipt that arrived before its message leaves a row with only a SID: not a message yet.
        .exclude(Q(date_created__isnull=True) & ~Q(sid=""))
        .annotate(at=Coalesce("date_created", "created_at"))
    )
    inbound = Q(direction=Direction.INBOUND)
    totals = live.aggregate(
        last_in=Max("at", filter=inbound),
        last_out=Max("at", filter=~inbound),
        unread=Count("pk", filter=inbound & Q(at__gt=read_at)) if read_at else Count("pk", filter=inbound),
    )
    last = live.order_by("-at", "-pk").only("body", "media", "media_sid", "content_sid", "direction").first()
    last_in, last_out = totals["last_in"], totals["last_out"]
    waiting = last_in is not None and (last_out is None or last_in > last_out)
    return {
        "last_inbound_at": last_in,
        "last_outbound_at": last_out,
        "last_message_at": max((t for t in (last_in, last_out) if t is not None), default=None),
        "awaiting_reply_since": last_in if waiting else None,
        "last_message_preview": preview(last) if last is not None else "",
        "last_message_inbound": last is not None and last.direction == Direction.INBOUND,
        "unread_count": totals["unread"],
    }


def preview(message) -> str:
    """The start of a message as one line: its text, else what it carries. Stored whole-number; the
    inbox masks it for the viewer like any message text."""
    text = " ".join((message.body or "").split())
    if message.media or message.media_sid:
        text = f"[media] {text}".strip()
    if not text and message.content_sid:
        text = f"[template {message.content_sid}]"
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"
