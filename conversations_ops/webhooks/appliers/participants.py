"""onParticipantAdded / Updated / Removed.

Only onParticipantUpdated carries LastReadMessageIndex (Added and Removed
leave it as the mirror has it); no webhook carries last_read_timestamp, so
only the pull sets it. A participant's address decides whether the messages
it wrote are inbound, whichever arrived first.
"""

from django.db.models import Q
from django.utils import timezone

from conversations_ops.clienteling.routing import clienteling_route
from conversations_ops.mirror.mapping import apply_participant
from conversations_ops.mirror.rules import LOCAL_CHANGE
from conversations_ops.models import Direction, Message, Participant
from conversations_ops.twilio.records import RemoteParticipant

from .common import DELETED, conversation_for, number, settle_natural_key, text_or_none, when
from .snapshots import Snapshot, apply_snapshot


def _remote(params, version, read_index) -> RemoteParticipant:
    return RemoteParticipant(
        sid=params.get("ParticipantSid"),
        conversation_sid=params.get("ConversationSid"),
        identity=text_or_none(params, "Identity"),
        attributes=params.get("Attributes") or "{}",
        binding_type=text_or_none(params, "MessagingBinding.Type"),
        binding_address=text_or_none(params, "MessagingBinding.Address"),
        binding_proxy_address=text_or_none(params, "MessagingBinding.ProxyAddress"),
        binding_projected_address=text_or_none(params, "MessagingBinding.ProjectedAddress"),
        role_sid=text_or_none(params, "RoleSid"),
        last_read_message_index=read_index,
        last_read_timestamp=None,
        date_created=when(params, "DateCreated"),
        date_updated=version,
    )


def _settle_binding(row) -> list[str]:
    """An address+proxy pair (or a chat identity) is in a conversation once: of two
    participants claiming it, the one Twilio made later holds it, the other is gone."""
    if row.sync_state == DELETED:
        return []
    same = Q(pk__in=[])
    if row.messaging_binding_address:
        same |= Q(
            messaging_binding_address=row.messaging_binding_address,
            messaging_binding_proxy_address=row.messaging_binding_proxy_address,
        )
    if row.identity:
        same |= Q(identity=row.identity)
    return settle_natural_key(
        row,
        same & Q(conversation_id=row.conversation_id),
        key="its binding/identity",
        release={"sync_state": DELETED},
        drop=lambda r: setattr(r, "sync_state", DELETED),
    )


def _directions(row) -> list[str]:
    """Messages this person wrote are inbound (the pull's rule: the author is a participant's address)."""
    if not row.messaging_binding_address:
        return []
    count = (
        Message.objects.filter(
            conversation_id=row.conversation_id, author=row.messaging_binding_address, direction=Direction.OUTBOUND
        )
        .exclude(sync_state__in=LOCAL_CHANGE)
        .update(direction=Direction.INBOUND, updated_at=timezone.now())
    )
    return [f"{count} of its messages marked inbound"] if count else []


def on_participant_event(event, params) -> str:
    sid = params.get("ParticipantSid")
    version = when(params, "DateUpdated") or when(params, "DateCreated")
    carries_read_index = event.event_type == "onParticipantUpdated"
    remote = _remote(params, version, number(params, "LastReadMessageIndex"))

    def fill(row):
        read_timestamp, read_index = row.last_read_timestamp, row.last_read_message_index
        apply_participant(row, remote)
        row.last_read_timestamp = read_timestamp
        if not carries_read_index:
            row.last_read_message_index = read_index

    conversation = conversation_for(params.get("ConversationSid"))
    outcome = apply_snapshot(
        Snapshot(
            model=Participant,
            label="participant",
            sid=sid,
            version=version,
            fill=fill,
            removed=event.event_type == "onParticipantRemoved",
            conversation=conversation,
            settle_keys=_settle_binding,
            after=_directions,
        )
    )
    if event.event_type == "onParticipantAdded":
        # An auto-created conversation's person may reach the mirror after their message: route it now.
        outcome += clienteling_route(conversation=conversation)
    return outcome


PARTICIPANT_APPLIERS = {
    "onParticipantAdded": on_participant_event,
    "onParticipantUpdated": on_participant_event,
    "onParticipantRemoved": on_participant_event,
}
