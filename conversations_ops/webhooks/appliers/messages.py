"""onMessageAdded / Updated / Removed.

Message events carry no delivery summary: the receipts applier keeps it
(`delivery` is left as the mirror has it). `Media` is a stringified JSON
array. They carry no template either (Twilio's table lists no ContentSid, and a
ContentSid a sender adds anyway is not read): the row the console queued keeps
its own, and a message another client wrote is fetched afterwards
(webhooks/attribution.py). The index never changes once Twilio gave it.
"""

from django.db.models import Q

from conversations_ops.clienteling.routing import clienteling_route
from conversations_ops.consent.inbound import consent_messages_note
from conversations_ops.mirror.activity import customer_activity_refresh
from conversations_ops.mirror.mapping import apply_message
from conversations_ops.models import Direction, Message, Participant
from conversations_ops.pairings.flow import pairing_replies_check
from conversations_ops.twilio.records import RemoteMessage
from conversations_ops.webhooks.attribution import attribution_enqueue_on_commit, may_be_a_template

from .common import DELETED, conversation_for, json_list, number, settle_natural_key, text_or_none, when
from .snapshots import Snapshot, apply_snapshot


def message_remote(params) -> RemoteMessage:
    """The message an event describes; its version (date_updated) is DateUpdated, else DateCreated."""
    return RemoteMessage(
        sid=params.get("MessageSid"),
        conversation_sid=params.get("ConversationSid"),
        index=number(params, "Index"),
        author=text_or_none(params, "Author"),
        body=params.get("Body"),
        media=json_list(params.get("Media")),
        attributes=params.get("Attributes") or "{}",
        participant_sid=text_or_none(params, "ParticipantSid"),
        content_sid=None,  # not in Twilio's webhook: attribution.py reads the Message resource
        delivery=None,
        date_created=when(params, "DateCreated"),
        date_updated=when(params, "DateUpdated") or when(params, "DateCreated"),
    )


def fill_message(row, remote: RemoteMessage, *, written_by_a_person: bool) -> None:
    """Copies a message event onto `row` (new or stored): the delivery summary
    (the receipts') and an index Twilio already gave are kept. A message one of
    the conversation's people wrote (the author is a binding address) is inbound:
    the pull's rule."""
    delivery, index = row.delivery, row.index
    apply_message(row, remote)
    row.delivery = delivery
    row.index = index if remote.index is None else remote.index
    if written_by_a_person:
        row.direction = Direction.INBOUND


def _settle_index(row) -> list[str]:
    """One message per index: when Twilio gives an index again (after the last
    message was deleted), the older message is gone and gives the index up."""
    if row.index is None:
        return []
    return settle_natural_key(
        row,
        Q(conversation_id=row.conversation_id, index=row.index),
        key=f"index {row.index}",
        release={"sync_state": DELETED},
        drop=lambda r: setattr(r, "sync_state", DELETED),
    )


def _written_by_a_person(conversation_id, author: str | None) -> bool:
    return (
        bool(author)
        and Participant.objects.filter(conversation_id=conversation_id, messaging_binding_address=author).exists()
    )


def on_message_event(event, params) -> str:
    remote = message_remote(params)

    def fill(row):
        fill_message(row, remote, written_by_a_person=_written_by_a_person(row.conversation_id, remote.author))

    conversation = conversation_for(params.get("ConversationSid"))
    outcome = apply_snapshot(
        Snapshot(
            model=Message,
            label="message",
            sid=remote.sid,
            version=remote.date_updated,
            fill=fill,
            removed=event.event_type == "onMessageRemoved",
            conversation=conversation,
            settle_keys=_settle_index,
            detail=lambda row: f" (index {row.index})" if row.index is not None else "",
        )
    )
    if event.event_type == "onMessageAdded":
        # Another client's message may be a template: the Message resource says (after the commit).
        attribution_enqueue_on_commit(
            pk
            for pk, direction in Message.objects.filter(sid=remote.sid, content_sid="")
            .exclude(sync_state=DELETED)
            .values_list("pk", "direction")
            if may_be_a_template(source=params.get("Source"), attributes=remote.attributes, direction=direction)
        )
    if event.event_type == "onMessageAdded":
        # STOP, START, HELP or writing first (the registry records it; the outcome stays the bulk path's).
        # Before the pairing check: a STOP answering an invite closes the pairing, it must not connect it.
        consent_messages_note(message_sids=[remote.sid])
    if event.event_type == "onMessageAdded" and pairing_replies_check(conversation_ids=[conversation.pk]):
        outcome += "; the customer replied: connecting their courier"
    if event.event_type == "onMessageAdded":
        outcome += clienteling_route(conversation=conversation)  # a customer's message reaches their advisor
    if conversation is not None:
        customer_activity_refresh(conversation_ids=[conversation.pk])  # the inbox's order and unread count
    return outcome


MESSAGE_APPLIERS = {
    "onMessageAdded": on_message_event,
    "onMessageUpdated": on_message_event,
    "onMessageRemoved": on_message_event,
}
