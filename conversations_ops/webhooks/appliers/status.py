"""message.status: a Programmable Messaging status callback (MessageSid,
MessageStatus, ErrorCode).

The callback names the channel message (SM…/MM…), which in Conversations is
a receipt's channel_message_sid. When the mirror has that receipt it moves
forward like an onDeliveryUpdated would (never back) and the message's
delivery summary follows; otherwise the status is kept on the event only.
Statuses that are not delivery steps (queued, sending, accepted, ...) are
recorded, nothing else. A failure with an opt-out code (21610, 63014) records the
person's opt-out, as the same code on a Conversations receipt does.
"""

from conversations_ops.consent.inbound import consent_receipt_note
from conversations_ops.models import DeliveryReceipt, Message
from conversations_ops.twilio.records import RemoteReceipt

from .common import number
from .receipts import PROGRESS, advance, summary_refresh


def on_message_status(event, params) -> str:
    sid = params.get("MessageSid")
    status = params.get("MessageStatus").lower()
    error = number(params, "ErrorCode") or None
    head = f"status callback: {sid} {status}" + (f" (error {error})" if error else "")
    found = (
        DeliveryReceipt.objects.filter(channel_message_sid=sid).order_by("pk").values_list("pk", "message_id").first()
    )
    if found is None:
        return f"{head}; no receipt in the mirror has this channel message SID (kept on this event)"
    if status not in PROGRESS:
        return f"{head}; not a delivery step, receipt unchanged"
    receipt_pk, message_pk = found
    message = Message.objects.select_for_update().get(pk=message_pk)  # the receipts applier's lock order
    receipt = DeliveryReceipt.objects.select_for_update().get(pk=receipt_pk)
    remote = RemoteReceipt(
        sid=receipt.sid,
        conversation_sid="",
        message_sid=message.sid,
        participant_sid=None,
        channel_message_sid=sid,
        status=status,
        error_code=error,
        date_created=None,
        date_updated=None,
    )
    line = advance(receipt, remote)
    note = summary_refresh(message)
    # The callback may be the first to say 21610/63014: the registry records the opt-out as from the receipt.
    line += consent_receipt_note(receipt_sid=receipt.sid)
    return "; ".join(part for part in (head, line, note) if part)


STATUS_APPLIERS = {"message.status": on_message_status}
