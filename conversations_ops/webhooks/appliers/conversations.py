"""onConversationAdded / Updated / Removed and onConversationStateUpdated.

The snapshot events carry every field the pull maps except the timers
(date_inactive, date_closed), which they leave alone. A state event carries
only the state: it does not move date_updated (the version of the snapshot
fields), so a delayed snapshot older than the state change still brings its
other fields. Which state wins is decided from the inbox itself: a snapshot
takes the state of any stored state event newer than it, and a state event
older than another stored one is skipped. Every order ends in the state of
the newest event.
"""

from django.db.models import Q
from django.utils import timezone

from conversations_ops.mirror.mapping import apply_conversation
from conversations_ops.mirror.rules import LOCAL_CHANGE, mark_deleted
from conversations_ops.models import Conversation, ConversationState, Message, Participant, WebhookEvent
from conversations_ops.twilio.records import RemoteConversation
from conversations_ops.webhooks.parsing import EventParams

from .common import (
    DELETED,
    conversation_for,
    older,
    settle_natural_key,
    stamp,
    text_or_none,
    when,
)
from .snapshots import Snapshot, apply_snapshot

STATE_EVENT = "onConversationStateUpdated"


def _remote(params, version) -> RemoteConversation:
    return RemoteConversation(
        sid=params.get("ConversationSid"),
        unique_name=text_or_none(params, "UniqueName"),
        friendly_name=text_or_none(params, "FriendlyName"),
        attributes=params.get("Attributes") or "{}",
        state=text_or_none(params, "State"),
        chat_service_sid=text_or_none(params, "ChatServiceSid"),
        messaging_service_sid=text_or_none(params, "MessagingServiceSid"),
        date_created=when(params, "DateCreated"),
        date_updated=version,
    )


def newest_state_after(sid: str, moment, *, exclude_pk=None) -> str | None:
    """StateTo of the newest stored state event later than `moment` (any moment when None)."""
    later = []
    for pairs in (
        WebhookEvent.objects.filter(conversation_sid=sid, event_type=STATE_EVENT)
        .exclude(pk=exclude_pk)
        .values_list("params", flat=True)
    ):
        params = EventParams(pairs)
        at, state = when(params, "StateUpdated"), params.get("StateTo")
        if at and state in ConversationState.values and (moment is None or at > moment):
            later.append((at, state))
    return max(later)[1] if later else None


def _settle_unique_name(row) -> list[str]:
    """Twilio keeps unique names unique: of two rows claiming one, the newer version holds it."""
    if not row.unique_name or row.sync_state == DELETED:
        return []
    return settle_natural_key(
        row,
        Q(unique_name=row.unique_name),
        key=f"unique name {row.unique_name!r}",
        release={"unique_name": ""},
        drop=lambda r: setattr(r, "unique_name", ""),
    )


def _cascade(row) -> list[str]:
    """A conversation gone from Twilio took its participants and messages with it."""
    if row.sync_state != DELETED:
        return []
    count = mark_deleted(Participant.objects.filter(conversation=row)) + mark_deleted(
        Message.objects.filter(conversation=row)
    )
    return [f"{count} participants/messages marked deleted with it"] if count else []


def on_conversation_snapshot(event, params) -> str:
    sid = params.get("ConversationSid")
    version = when(params, "DateUpdated") or when(params, "DateCreated")
    remote = _remote(params, version)

    def fill(row):
        timers = row.date_inactive, row.date_closed  # never in a webhook: the pull brings them
        apply_conversation(row, remote)
        row.date_inactive, row.date_closed = timers
        row.state = newest_state_after(sid, version, exclude_pk=event.pk) or row.state

    return apply_snapshot(
        Snapshot(
            model=Conversation,
            label="conversation",
            sid=sid,
            version=version,
            fill=fill,
            removed=event.event_type == "onConversationRemoved",
            settle_keys=_settle_unique_name,
            after=_cascade,
            detail=lambda row: f" ({row.state})",
        )
    )


def on_state_updated(event, params) -> str:
    sid, moment, state = params.get("ConversationSid"), when(params, "StateUpdated"), params.get("StateTo")
    head = f"conversation {sid} {params.get('StateFrom') or '?'} -> {state} ({params.get('Reason') or '?'})"
    if state not in ConversationState.values:
        return f"skipped: {head}: unknown state"
    conversation = conversation_for(sid)
    if conversation.sync_state in LOCAL_CHANGE:
        return f"skipped: {head}: the conversation holds a staff change not pushed yet"
    if older(moment, conversation.date_updated):
        return (
            f"skipped: {head}: mirror already newer (DateUpdated {stamp(conversation.date_updated)} > "
            f"StateUpdated {stamp(moment)})"
        )
    later = newest_state_after(sid, moment, exclude_pk=event.pk)
    if later is not None:
        return f"skipped: {head}: a later state change (to {later}) is already in the inbox"
    if conversation.state == state:
        return f"{head}: already {state}"
    Conversation.objects.filter(pk=conversation.pk).update(state=state, updated_at=timezone.now())
    return f"{head}: stored"


CONVERSATION_APPLIERS = {
    "onConversationAdded": on_conversation_snapshot,
    "onConversationUpdated": on_conversation_snapshot,
    "onConversationRemoved": on_conversation_snapshot,
    STATE_EVENT: on_state_updated,
}
