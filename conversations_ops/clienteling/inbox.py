"""The advisor's inbox (issue 19, items 4 and 6): who may use it, which customers it lists in
which order, each one's window and markers, and the home page's "Needs reply" counts.

Everything starts from the row rule (`customers_visible_to`): an advisor their customers, a
manager their teams', Auditors everyone's (read-only: replying needs to own the customer or
hold the console's "send to people" permissions). A page of the list costs a fixed number of
queries whatever its length or the size of the tables: the order and the markers are
the customer's activity fields (mirror/activity.py), the window is the one rule of
messaging/window.py read for the whole page at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from conversations_ops import permissions as rules
from conversations_ops.masking import address_for, text_for
from conversations_ops.messaging import window as message_window
from conversations_ops.messaging.window import WINDOW, last_inbound_by_pair
from conversations_ops.models import Customer, Message, SyncState
from conversations_ops.selectors.history_rows import describe_messages

from .selectors import customers_visible_to

CLOSING_SOON = timedelta(hours=2)
NEEDS_REPLY, CLOSING = "needs_reply", "closing"
SHOW_CHOICES = {NEEDS_REPLY: "Needs reply", CLOSING: "Window closes within 2 h"}


def may_use_inbox(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff and rules.user_may(user, rules.VIEW_CUSTOMERS))


def may_reply(user, customer: Customer) -> bool:
    """The owning advisor writes to their customer; others need the console's send permissions
    (Ops); an Auditor reads only."""
    if customer.advisor_id is not None and customer.advisor_id == user.pk:
        return True
    return rules.user_may(user, rules.SEND_TO_PEOPLE)


def customer_for_inbox(user, customer_id) -> Customer | None:
    """The customer when the row rule lets `user` see them (checked on every request: a reassigned
    customer is gone from the old advisor's inbox at once); None otherwise."""
    return customers_visible_to(user).select_related("sender", "advisor").filter(pk=customer_id).first()


def needs_reply_after() -> timedelta:
    return timedelta(minutes=settings.CLIENTELING_NEEDS_REPLY_MINUTES)


def inbox_customers(user, *, advisor_id=None, show: str = "", now: datetime | None = None) -> QuerySet:
    """The customers of `user`'s inbox, who waits longest first (wrote last and unanswered, the
    oldest message first), then the rest by their last message, newest first."""
    now = now or message_window.window_now()
    customers = customers_visible_to(user).select_related("sender", "advisor")
    if advisor_id:
        customers = customers.filter(advisor_id=advisor_id)
    if show == NEEDS_REPLY:
        customers = customers.filter(awaiting_reply_since__lte=now - needs_reply_after())
    elif show == CLOSING:
        customers = _closing_soon(customers, now)
    return customers.order_by(
        F("awaiting_reply_since").asc(nulls_last=True), F("last_message_at").desc(nulls_last=True), "-id"
    )


def _closing_soon(customers: QuerySet, now: datetime) -> QuerySet:
    # The activity's last_inbound_at: messages in the customer's conversations (the window rule's
    # first source); the list then shows each row's window from both sources.
    return customers.filter(
        sender__address__startswith="whatsapp:",
        last_inbound_at__gt=now - WINDOW,
        last_inbound_at__lte=now - WINDOW + CLOSING_SOON,
    )


def inbox_advisors(user) -> list:
    """The advisors whose customers `user` sees, for a manager's filter (empty for an advisor alone)."""
    visible = customers_visible_to(user).exclude(advisor=None).values("advisor_id")
    advisors = list(get_user_model().objects.filter(pk__in=visible).order_by("username"))
    return advisors if any(a.pk != user.pk for a in advisors) else []


def needs_reply_counts(user, *, now: datetime | None = None) -> dict[str, int]:
    """The home page's panel: how many of `user`'s customers need a reply, and whose window closes soon."""
    now = now or message_window.window_now()
    customers = customers_visible_to(user)
    return {
        NEEDS_REPLY: customers.filter(awaiting_reply_since__lte=now - needs_reply_after()).count(),
        CLOSING: _closing_soon(customers, now).count(),
    }


@dataclass(frozen=True)
class Window:
    limited: bool  # only WhatsApp has the 24-hour window
    open_until: datetime | None
    free_form: bool
    closing_soon: bool

    @property
    def label(self) -> str:
        if not self.limited:
            return "Free-form (SMS: no window)"
        if not self.free_form:
            return "Template only"
        until = timezone.localtime(self.open_until)
        today = timezone.localtime(message_window.window_now()).date() == until.date()
        return f"Free-form until {until.strftime('%H:%M' if today else '%b %d %H:%M')}"


def customer_windows(customers, *, now: datetime | None = None) -> dict[int, Window]:
    """Each customer's window with their sender: messaging/window.py's rule, two queries for all."""
    now = now or message_window.window_now()
    customers = list(customers)
    pairs = {c.pk: (c.address, c.sender.address) for c in customers if c.sender.address.startswith("whatsapp:")}
    last = last_inbound_by_pair(pairs.values())
    windows = {}
    for customer in customers:
        if customer.pk not in pairs:
            windows[customer.pk] = Window(False, None, True, False)
            continue
        written = last.get(pairs[customer.pk])
        until = written + WINDOW if written else None
        is_open = until is not None and now < until
        windows[customer.pk] = Window(True, until, is_open, is_open and until - now <= CLOSING_SOON)
    return windows


@dataclass(frozen=True)
class InboxRow:
    customer: Customer
    name: str
    address: str
    advisor: str
    preview: str
    last_inbound: bool
    unread: int
    window: Window
    needs_reply: bool
    waiting_since: datetime | None


def inbox_rows(customers, *, user, now: datetime | None = None) -> list[InboxRow]:
    """One page of the list as `user` may see it (numbers masked unless permitted)."""
    now = now or message_window.window_now()
    customers = list(customers)
    windows = customer_windows(customers, now=now)
    overdue = now - needs_reply_after()
    return [
        InboxRow(
            customer=c,
            name=text_for(user, c.name) or f"Customer #{c.pk}",
            address=address_for(user, c.address),
            advisor=c.advisor.get_username() if c.advisor else "unassigned",
            preview=text_for(user, c.last_message_preview),
            last_inbound=c.last_message_inbound,
            unread=c.unread_count,
            window=windows[c.pk],
            needs_reply=c.awaiting_reply_since is not None and c.awaiting_reply_since <= overdue,
            waiting_since=c.awaiting_reply_since,
        )
        for c in customers
    ]


TRANSCRIPT_LENGTH = 200


@dataclass(frozen=True)
class Transcript:
    rows: list  # selectors.history_rows.HistoryRow, oldest first, numbers masked for the viewer
    earlier: int  # messages before the first shown (the history list has them all)


def customer_transcript(customer: Customer, *, user, length: int = TRANSCRIPT_LENGTH) -> Transcript:
    """All the customer's conversations as one history, oldest first: the last `length` messages."""
    messages = (
        Message.objects.filter(conversation__customer_link__customer=customer)
        .exclude(sync_state=SyncState.DELETED_REMOTELY)
        .exclude(Q(date_created__isnull=True) & ~Q(sid=""))  # a receipt's placeholder: no message yet
        .annotate(at=Coalesce("date_created", "created_at"))
    )
    newest = list(messages.order_by("-at", "-pk")[: length + 1])
    shown = newest[:length][::-1]
    earlier = messages.count() - length if len(newest) > length else 0
    return Transcript(rows=describe_messages(shown, user=user, all_receipts=True), earlier=earlier)
