"""Messages described for people: who wrote them, on which channel, the text they read, how delivery went.

`describe_messages` takes a batch (a list page, an export chunk, a transcript page)
and answers with three queries whatever its size: the conversations' participants,
the templates named, the receipts. The conditions in `history.py` say the same in
SQL, so a filtered list shows exactly the rows its filter promises.
Numbers are masked here for viewers without "view full numbers": every caller
(list, transcript, export) gets them already masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from conversations_ops.masking import can_see_full_numbers, mask_address, mask_numbers_in
from conversations_ops.messaging.template_variables import template_render
from conversations_ops.models import (
    FAILED_RECEIPT_STATUSES,
    DeliveryReceipt,
    Direction,
    Message,
    Participant,
    SyncState,
    Template,
)
from conversations_ops.twilio.errors import Explanation, explain

from .history import SOME, SYSTEM, WHATSAPP_PREFIX

CHANNEL_ORDER = ("whatsapp", "sms", "chat")


# Who wrote a pairing message the console sent on someone's behalf (pairings/flow.py marks it).
KIND_LABELS = {"invite": "invite template", "auto_reply": "auto-reply", "connected": "connected template"}


@dataclass(frozen=True)
class ReceiptLine:
    role: str  # the recipient's role ("participant" without one); "" when the participant is unknown
    address: str  # their address masked as the viewer may see it (or identity); else their SID
    participant_sid: str
    status: str
    error_code: int | None
    explanation: Explanation | None

    @property
    def recipient(self) -> str:
        """ "customer whatsapp:+15•••••2661" """
        return f"{self.role} {self.address}" if self.role else self.address


@dataclass(frozen=True)
class HistoryRow:
    message: Message
    author: str  # masked as the viewer may see it
    role: str  # customer, courier, agent, other, or system (no participant wrote it)
    on_behalf: str  # a pairing message the console wrote as the author: "invite template"; else ""
    who: str  # the transcript's label
    channels: tuple[str, ...]
    template_sid: str
    template_name: str
    text: str  # the body, or the template rendered with its variables
    media: tuple[dict, ...]
    status: str  # failed, undelivered, read, delivered, pending, or "" (no recipients to track)
    receipts: tuple[ReceiptLine, ...]  # failed and undelivered ones, or all when asked


def delivery_status(*, direction: str, sync_state: str, summary, receipt_statuses) -> str:
    """history.delivery_status_expression in Python: the first status that holds."""
    has_summary = summary is not None  # SQL's "delivery IS NOT NULL"
    summary = summary if isinstance(summary, dict) else {}
    if sync_state == SyncState.FAILED or summary.get("failed") in SOME or "failed" in receipt_statuses:
        return "failed"
    if summary.get("undelivered") in SOME or "undelivered" in receipt_statuses:
        return "undelivered"
    if summary.get("read") == "all":
        return "read"
    if summary.get("delivered") == "all":
        return "delivered"
    if direction == Direction.OUTBOUND or has_summary:
        return "pending"
    return ""


def address_channel(address: str) -> str:
    if address.startswith(WHATSAPP_PREFIX):
        return "whatsapp"
    return "sms" if address.startswith("+") else "chat"


def _recipient_channels(author: str, people) -> tuple[str, ...]:
    found = set()
    for person in people:
        address = person.messaging_binding_address
        if address and address != author and address.startswith((WHATSAPP_PREFIX, "+")):
            found.add(address_channel(address))
        if person.identity and person.identity != author:
            found.add("chat")
    return tuple(c for c in CHANNEL_ORDER if c in found)


def pairing_kind(attributes: str) -> str:
    try:
        value = json.loads(attributes or "{}")
        return str((value.get("pairing") or {}).get("kind", "")) if isinstance(value, dict) else ""
    except (ValueError, AttributeError):
        return ""


def _variables(text: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _media(item: dict) -> dict:
    """Twilio lists sid, content_type, filename, size; a link is kept only when it is a web address."""
    url = item.get("url")
    return {**item, "url": url if isinstance(url, str) and url.startswith(("https://", "http://")) else ""}


class _Batch:
    """What a batch of messages refers to, loaded once: participants, templates, receipts."""

    def __init__(self, messages, *, all_receipts: bool):
        conversation_ids = {m.conversation_id for m in messages}
        self.people: dict[int, list[Participant]] = {}
        self.by_sid: dict[str, Participant] = {}
        fields = ("conversation_id", "sid", "identity", "messaging_binding_address", "role")
        for person in Participant.objects.filter(conversation_id__in=conversation_ids).only(*fields).order_by("pk"):
            self.people.setdefault(person.conversation_id, []).append(person)
            if person.sid:
                self.by_sid[person.sid] = person
        sids = {m.content_sid for m in messages if m.content_sid}
        self.templates = {t.sid: t for t in Template.objects.filter(sid__in=sids).only("sid", "friendly_name", "types")}
        receipts = DeliveryReceipt.objects.filter(message_id__in=[m.pk for m in messages])
        if not all_receipts:
            receipts = receipts.filter(status__in=FAILED_RECEIPT_STATUSES)
        self.receipts: dict[int, list[DeliveryReceipt]] = {}
        for receipt in receipts.only("message_id", "participant_sid", "status", "error_code").order_by("pk"):
            self.receipts.setdefault(receipt.message_id, []).append(receipt)

    def author_of(self, message) -> Participant | None:
        if not message.author:
            return None
        # The newest participant with that address wins, as Twilio reuses addresses after a removal.
        found = [
            p
            for p in self.people.get(message.conversation_id, ())
            if message.author in (p.messaging_binding_address, p.identity)
        ]
        return found[-1] if found else None


def describe_messages(
    messages, *, user=None, full_numbers: bool | None = None, all_receipts: bool = False
) -> list[HistoryRow]:
    """Numbers shown in full if `full_numbers`, or (when not said) if `user` may see them."""
    messages = list(messages)
    if not messages:
        return []
    full = can_see_full_numbers(user) if full_numbers is None else full_numbers
    address = (lambda a: a or "") if full else mask_address
    text = (lambda t: t or "") if full else mask_numbers_in
    batch = _Batch(messages, all_receipts=all_receipts)
    return [_describe(m, batch, address, text) for m in messages]


def _who(role: str, kind: str, author: str) -> str:
    if kind:
        # Written as the other side so Twilio routes it to one person only (pairings/flow.py).
        to = "customer" if role == "courier" else "courier"
        return f"console ({KIND_LABELS.get(kind, kind)}, to the {to})"
    if role == SYSTEM:
        return author or SYSTEM
    return f"{role} ({author})"


def _receipt_line(receipt, batch, address) -> ReceiptLine:
    person = batch.by_sid.get(receipt.participant_sid)
    if person is not None:
        role, shown = person.role or "participant", address(person.messaging_binding_address) or person.identity
    else:
        role, shown = "", receipt.participant_sid or "recipient"
    failed = receipt.status in FAILED_RECEIPT_STATUSES or receipt.error_code
    return ReceiptLine(
        role=role,
        address=shown,
        participant_sid=receipt.participant_sid,
        status=receipt.status,
        error_code=receipt.error_code,
        explanation=explain(receipt.error_code, None) if failed and receipt.error_code else None,
    )


def _describe(message, batch: _Batch, address, text) -> HistoryRow:
    person = batch.author_of(message)
    role = (person.role or "other") if person is not None else SYSTEM
    kind = pairing_kind(message.attributes)
    author = address(message.author)
    template = batch.templates.get(message.content_sid) if message.content_sid else None
    if template is not None:
        shown = template_render(template=template, variables=_variables(message.content_variables))
    else:
        shown = message.body
    receipts = batch.receipts.get(message.pk, [])
    if message.direction == Direction.INBOUND:
        channels = (address_channel(message.author),)
    else:
        channels = _recipient_channels(message.author, batch.people.get(message.conversation_id, ()))
    return HistoryRow(
        message=message,
        author=author,
        role=role,
        on_behalf=KIND_LABELS.get(kind, kind) if kind else "",
        who=_who(role, kind, author),
        channels=channels,
        template_sid=message.content_sid,
        template_name=str(template) if template is not None else "",
        text=text(shown),
        media=tuple(_media(m) for m in (message.media or ()) if isinstance(m, dict)),
        status=delivery_status(
            direction=message.direction,
            sync_state=message.sync_state,
            summary=message.delivery,
            receipt_statuses={r.status for r in receipts},
        ),
        receipts=tuple(_receipt_line(r, batch, address) for r in receipts),
    )
