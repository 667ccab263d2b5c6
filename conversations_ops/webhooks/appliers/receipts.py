"""onDeliveryUpdated: one DeliveryReceipt per (message, recipient), and the
message's delivery summary recomputed from its receipts.

Receipt statuses only move forward (models.RECEIPT_PROGRESS, the one ranking):
sent < delivered < read, and undelivered and failed are final (a late "sent" or
"delivered" never undoes them). So the receipt ends in the furthest status
reported, whatever order the events took, and a duplicate changes nothing.
"""

from django.utils import timezone

from conversations_ops.consent.inbound import consent_receipt_note
from conversations_ops.mirror.mapping import apply_receipt
from conversations_ops.mirror.rules import LOCAL_CHANGE
from conversations_ops.models import RECEIPT_PROGRESS, DeliveryReceipt, Message, SyncState
from conversations_ops.twilio.records import RemoteReceipt

from .common import DELETED, NotInMirrorYet, conversation_for, insert, locked, number, text_or_none, when

PROGRESS = {str(status): rank for status, rank in RECEIPT_PROGRESS.items()}
# Twilio's summary counts a read message as delivered and sent too.
REACHED = {
    "sent": {"sent", "delivered", "read"},
    "delivered": {"delivered", "read"},
    "read": {"read"},
    "failed": {"failed"},
    "undelivered": {"undelivered"},
}


def delivery_summary(statuses: list[str]) -> dict | None:
    """Twilio's message `delivery`: total, and all/some/none per status."""
    if not statuses:
        return None
    summary = {"total": len(statuses)}
    for status, reached in REACHED.items():
        count = sum(1 for value in statuses if value in reached)
        summary[status] = "all" if count == len(statuses) else "some" if count else "none"
    return summary


def summary_refresh(message) -> str:
    """Recomputes `delivery` on the (locked) message; answers a note, or "" when nothing changed."""
    if message.sync_state in LOCAL_CHANGE:
        return "delivery summary kept: the message holds a staff change not pushed yet"
    statuses = list(
        DeliveryReceipt.objects.filter(message=message).exclude(sync_state=DELETED).values_list("status", flat=True)
    )
    total = message.delivery.get("total") if isinstance(message.delivery, dict) else None
    if isinstance(total, int) and total > len(statuses):
        return f"delivery summary kept: Twilio counted {total} receipts, webhooks brought {len(statuses)}"
    summary = delivery_summary(statuses)
    if summary == message.delivery:
        return ""
    Message.objects.filter(pk=message.pk).update(delivery=summary, updated_at=timezone.now())
    message.delivery = summary
    shown = ", ".join(f"{name} {value}" for name, value in summary.items() if value not in ("none",)) if summary else ""
    return f"delivery summary: {shown}"


def message_for(conversation, sid: str) -> Message:
    """The receipt's message, created with only its SID when unknown, unless the
    conversation has a message being pushed right now: it may be that one."""
    row = locked(Message, sid)
    if row is not None:
        return row
    if Message.objects.filter(conversation=conversation, sid="", sync_state=SyncState.PENDING).exists():
        raise NotInMirrorYet(
            f"message {sid} is not in the mirror while {conversation.sid} has a message being "
            f"pushed (it may be this one); trying again shortly"
        )
    row = Message(
        conversation=conversation,
        sid=sid,
        sync_state=DELETED if conversation.sync_state == DELETED else SyncState.SYNCED,
    )
    return row if insert(row) else locked(Message, sid)


def advance(receipt, remote: RemoteReceipt) -> str:
    """Moves a stored receipt forward to `remote.status`, never back; answers the outcome line.

    The same status again only fills what the receipt was missing, so a replay changes nothing.
    """
    old, new = receipt.status, remote.status
    if PROGRESS.get(new, 0) < PROGRESS.get(old, 0):
        return f"skipped: receipt {receipt.sid} is already {old} (a receipt never goes back to {new})"
    names = ("status", "error_code", "channel_message_sid", "participant_sid", "date_created", "date_updated")
    before = [getattr(receipt, name) for name in names]
    if new != old:
        receipt.status, receipt.error_code = new, remote.error_code or None
        receipt.date_updated = remote.date_updated or receipt.date_updated  # a status callback has no date
    else:
        receipt.error_code = receipt.error_code or remote.error_code or None
    receipt.channel_message_sid = receipt.channel_message_sid or remote.channel_message_sid or ""
    receipt.participant_sid = receipt.participant_sid or remote.participant_sid or ""
    receipt.date_created = receipt.date_created or remote.date_created
    if [getattr(receipt, name) for name in names] == before:
        return f"receipt {receipt.sid} already {old}"
    if receipt.sync_state != DELETED:
        receipt.sync_state = SyncState.SYNCED
    receipt.last_synced_at = timezone.now()
    receipt.save()
    if new == old:
        return f"receipt {receipt.sid} {old}: details completed"
    error = f" (error {receipt.error_code})" if receipt.error_code else ""
    return f"receipt {receipt.sid} {old} -> {new}{error}"


def on_delivery_updated(event, params) -> str:
    sid, status = params.get("DeliveryReceiptSid"), params.get("Status").lower()
    if status not in PROGRESS:
        return f"skipped: receipt {sid}: unknown status {status!r}"
    message = message_for(conversation_for(params.get("ConversationSid")), params.get("MessageSid"))
    remote = RemoteReceipt(
        sid=sid,
        conversation_sid=params.get("ConversationSid"),
        message_sid=message.sid,
        participant_sid=text_or_none(params, "ParticipantSid"),
        channel_message_sid=text_or_none(params, "ChannelMessageSid"),
        status=status,
        error_code=number(params, "ErrorCode"),
        date_created=when(params, "DateCreated"),
        date_updated=when(params, "DateUpdated"),
    )
    receipt = locked(DeliveryReceipt, sid)
    if receipt is None:
        receipt = DeliveryReceipt(message=message)
        apply_receipt(receipt, remote)
        receipt.last_seen_at = None
        if insert(receipt):
            error = f", error {receipt.error_code}" if receipt.error_code else ""
            line = f"receipt {sid} stored ({status}{error}) for message {message.sid}"
        else:
            line = advance(locked(DeliveryReceipt, sid), remote)
    else:
        line = advance(receipt, remote)
    note = summary_refresh(message)
    line += consent_receipt_note(receipt_sid=sid)  # refused because the person opted out: the registry says so
    return "; ".join(part for part in (line, note) if part)


RECEIPT_APPLIERS = {"onDeliveryUpdated": on_delivery_updated}
