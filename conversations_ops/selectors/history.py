"""Reads behind the message history: the list's conditions and search, and a transcript page.

Auditors filter a table that grows by millions of rows, so every condition is
answered from the message row itself plus index reads (the author's participant
by conversation, the set of failed receipts): no join that multiplies rows (hence
no DISTINCT) and never a scan of message bodies. `history_rows.py` describes the
same things in Python for the rows shown; tests hold the two to the same answers.

The list walks the date_created index newest first and stops after a page, so a
filter most messages pass costs a page. What keeps the rest bounded on a big table
(listed in README, "Message history and exports"): receipts by (status, message);
messages by (conversation, date_created) for one conversation newest first, and by
(author, date_created) and (content_sid, date_created) for the number and template searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When

from conversations_ops.models import Conversation, DeliveryReceipt, Direction, Message, Participant, SyncState

from .expected_failures import expected_failure_message_q

SYSTEM = "system"
# Who wrote a message, for the business: the participant's role, "system" when no participant did.
AUTHOR_ROLES = (
    ("customer", "Customer"),
    ("courier", "Courier"),
    ("agent", "Agent"),
    ("other", "Other participant"),
    (SYSTEM, "System / API (not a participant)"),
)
CHANNELS = (("whatsapp", "WhatsApp"), ("sms", "SMS"), ("chat", "Chat"))
WHATSAPP_PREFIX = "whatsapp:"
# Twilio's delivery summary says, per status, whether "all", "some" or "none" of the recipients reached it.
SOME = ("all", "some")
DELIVERY_STATUSES = ("failed", "undelivered", "read", "delivered", "pending")


def _author_participants():
    """The participants of the message's conversation who wrote it (binding address or chat identity)."""
    return Participant.objects.filter(conversation_id=OuterRef("conversation_id")).filter(
        Q(messaging_binding_address=OuterRef("author"), messaging_binding_address__gt="")
        | Q(identity=OuterRef("author"), identity__gt="")
    )


def author_role_q(role: str) -> Q:
    if role == SYSTEM:
        return Q(~Exists(_author_participants()))
    roles = ("other", "") if role == "other" else (role,)
    return Q(Exists(_author_participants().filter(role__in=roles)))


def channel_q(channel: str) -> Q:
    """A person's message travels on their own channel; the business's on its recipients' channels."""
    people = Participant.objects.filter(conversation_id=OuterRef("conversation_id"))
    if channel == "chat":
        own = ~Q(author__startswith=WHATSAPP_PREFIX) & ~Q(author__startswith="+")
        recipients = people.filter(identity__gt="").exclude(identity=OuterRef("author"))
    else:
        prefix = WHATSAPP_PREFIX if channel == "whatsapp" else "+"
        own = Q(author__startswith=prefix)
        recipients = people.filter(messaging_binding_address__startswith=prefix).exclude(
            messaging_binding_address=OuterRef("author")
        )
    return (Q(direction=Direction.INBOUND) & own) | (~Q(direction=Direction.INBOUND) & Exists(recipients))


def template_q(kind: str) -> Q:
    return ~Q(content_sid="") if kind == "template" else Q(content_sid="")


def _receipts(*statuses: str) -> Q:
    # A set, not a correlated EXISTS: the database reads the (few) failed receipts once,
    # from an index on (status, message), instead of probing once per message scanned.
    return Q(pk__in=DeliveryReceipt.objects.filter(status__in=statuses).values("message_id"))


def delivery_status_expression() -> Case:
    """One status per message, the first that holds (history_rows.delivery_status says the same in Python).

    The summary is Twilio's (the pull copies it, webhooks recompute it from the
    receipts); a failed or undelivered receipt counts even before the summary has
    it, so a failure is never hidden. "failed" also covers a send Twilio refused.
    """
    return Case(
        When(_failure_q("failed"), then=Value("failed")),
        When(_failure_q("undelivered"), then=Value("undelivered")),
        When(delivery__read="all", then=Value("read")),
        When(delivery__delivered="all", then=Value("delivered")),
        When(Q(direction=Direction.OUTBOUND) | Q(delivery__isnull=False), then=Value("pending")),
        default=Value(""),
        output_field=CharField(),
    )


def _failure_q(status: str) -> Q:
    condition = Q(**{f"delivery__{status}__in": SOME}) | _receipts(status)
    return condition | Q(sync_state=SyncState.FAILED) if status == "failed" else condition


# What a status needs at least, checked before the status itself is computed: the receipt
# sets are read once from their index, and the CASE runs only on the rows left.
_NEEDS = {
    "failed": lambda: _failure_q("failed"),
    "undelivered": lambda: _failure_q("undelivered"),
    "read": lambda: Q(delivery__read="all"),
    "delivered": lambda: Q(delivery__delivered="all"),
}


def with_delivery_status(queryset, statuses):
    """Messages whose status is one of `statuses`."""
    if set(statuses) == {"failed", "undelivered"}:
        # Exactly the failures, whichever comes first: no need to compute the status.
        return queryset.filter(_failure_q("failed") | _failure_q("undelivered"))
    if all(status in _NEEDS for status in statuses):
        queryset = queryset.filter(reduce(or_, (_NEEDS[status]() for status in statuses)))
    return queryset.alias(history_delivery_status=delivery_status_expression()).filter(
        history_delivery_status__in=statuses
    )


def failed_needing_attention(queryset):
    """Failed messages less those a courier pairing causes by design (expected_failures.py)."""
    return with_delivery_status(queryset, ("failed", "undelivered")).exclude(expected_failure_message_q())


_SID = re.compile(r"^(IM|CH|MB|HX|DY)[0-9a-fA-F]{32}$")
_PHONE = re.compile(r"^(whatsapp:)?\+\d{6,15}$")


def _ids(queryset) -> list[int]:
    # Looked up first (one indexed read): an equality on the messages' own index then beats
    # walking the date index, which a subquery would let the planner choose.
    return list(queryset[:100])


def message_search_q(term: str) -> Q | None:
    """Exact matches only, each on one indexed column: a SID by its prefix, a phone number, a name."""
    term = term.strip()
    if not term:
        return None
    sid = _SID.match(term)
    prefix = sid.group(1) if sid else ""
    if prefix == "IM":
        return Q(sid=term)
    if prefix == "CH":
        return Q(conversation_id__in=_ids(Conversation.objects.filter(sid=term).values_list("id", flat=True)))
    if prefix == "MB":
        return Q(participant_sid=term)
    if prefix == "HX":
        return Q(content_sid=term)
    if prefix == "DY":
        return Q(pk__in=_ids(DeliveryReceipt.objects.filter(sid=term).values_list("message_id", flat=True)))
    if _PHONE.match(term):
        # A bare number finds the person on SMS and on WhatsApp.
        return Q(author__in=[term, WHATSAPP_PREFIX + term]) if term.startswith("+") else Q(author=term)
    # A conversation's unique name, or a chat identity.
    named = _ids(Conversation.objects.filter(unique_name=term).values_list("id", flat=True))
    return Q(conversation_id__in=named) | Q(author=term) if named else Q(author=term)


TRANSCRIPT_PAGE = 100


@dataclass(frozen=True)
class TranscriptPage:
    messages: list[Message]
    older_before: int | None  # pass as `before` to see the older messages; None: this page starts at the first


def transcript_page(
    *, conversation: Conversation, before: int | None = None, size: int | None = None
) -> TranscriptPage:
    """The newest `size` messages in index order (or those before index `before`), on the (conversation, index) index.

    Messages not on Twilio yet have no index: they close the newest page.
    """
    size = size or TRANSCRIPT_PAGE
    numbered = Message.objects.filter(conversation=conversation, index__isnull=False)
    if before is not None:
        numbered = numbered.filter(index__lt=before)
    newest_first = list(numbered.order_by("-index")[: size + 1])
    shown = newest_first[:size][::-1]
    older_before = shown[0].index if len(newest_first) > size else None
    unnumbered = (
        []
        if before is not None
        else list(Message.objects.filter(conversation=conversation, index__isnull=True).order_by("pk")[:size])
    )
    return TranscriptPage(messages=shown + unnumbered, older_before=older_before)
