"""onMessageAdded / Updated / Removed.

Message events carry no delivery summary: the receipts applier keeps it
(`delivery` is left as the mirror has it). `Media` is a stringified JSON
array, `ContentSid` a simulator extension Twilio may not send (kept when
absent). The index never changes once Twilio gave it.
"""

from django.utils import timezone

from conversations_ops.models import Direction, Message, Participant
from conversations_ops.services.mirror import apply_message
from conversations_ops.twilio_records import RemoteMessage

from .common import DELETED, LOCAL_CHANGE, KeyClash, conversation_for, json_list, number, rank, text_or_none, when
from .snapshots import Snapshot, apply_snapshot


def _remote(params, version) -> RemoteMessage:
    return RemoteMessage(
        sid=params.get("MessageSid"), conversation_sid=params.get("ConversationSid"), index=number(params, "Index"),
        author=text_or_none(params, "Author"), body=params.get("Body"), media=json_list(params.get("Media")),
        attributes=params.get("Attributes") or "{}", participant_sid=text_or_none(params, "ParticipantSid"),
        content_sid=text_or_none(params, "ContentSid"), delivery=None,
        date_created=when(params, "DateCreated"), date_updated=version,
    )


def _settle_index(row) -> list[str]:
    """One message per index: when Twilio gives an index again (after the last
    message was deleted), the older message is gone and gives the index up."""
    if row.index is None:
        return []
    notes = []
    holders = (Message.objects.select_for_update().filter(conversation_id=row.conversation_id, index=row.index)
               .exclude(sid=row.sid))
    for holder in holders:
        if not holder.sid or holder.sync_state in LOCAL_CHANGE:
            raise KeyClash(f"index {row.index} is held by message {holder.sid or '(not on Twilio yet)'}, "
                           f"which has a staff change not pushed yet")
        if rank(holder) < rank(row):
            Message.objects.filter(pk=holder.pk).update(sync_state=DELETED, updated_at=timezone.now())
            notes.append(f"message {holder.sid} gave up index {row.index} and is marked deleted (Twilio reused it)")
        else:
            notes.append(f"stored as deleted: message {holder.sid} holds index {row.index} later")
            row.sync_state = DELETED
    return notes


def _inbound_if_a_person_wrote_it(row) -> None:
    """The pull's rule: the author is one of the conversation's binding addresses."""
    if row.author and Participant.objects.filter(conversation_id=row.conversation_id,
                                                 messaging_binding_address=row.author).exists():
        row.direction = Direction.INBOUND


def on_message_event(event, params) -> str:
    sid = params.get("MessageSid")
    version = when(params, "DateUpdated") or when(params, "DateCreated")
    remote = _remote(params, version)

    def fill(row):
        delivery, index = row.delivery, row.index
        apply_message(row, remote)
        row.delivery = delivery
        row.index = index if remote.index is None else remote.index
        _inbound_if_a_person_wrote_it(row)

    return apply_snapshot(Snapshot(
        model=Message, resource="messages", label="message", sid=sid, version=version, fill=fill,
        removed=event.event_type == "onMessageRemoved", conversation=conversation_for(params.get("ConversationSid")),
        settle_keys=_settle_index, detail=lambda row: f" (index {row.index})" if row.index is not None else "",
    ))


MESSAGE_APPLIERS = {
    "onMessageAdded": on_message_event,
    "onMessageUpdated": on_message_event,
    "onMessageRemoved": on_message_event,
}
