"""Participants: add (adopting our own earlier add), update, remove."""

from conversations_ops.mirror import mapping as mirror
from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError

from .base import (
    Outcome,
    WaitForParent,
    conversation_sid_of,
    fetched_or_none,
    or_none,
    pushed_fields,
    refused,
    remove_from_conversation,
)

BINDING_IN_USE, IDENTITY_IN_USE = 50416, 50433


def add(op, row) -> Outcome:
    if row is None:
        return Outcome(cancelled="The participant was deleted before it reached Twilio.")
    conversation_sid = conversation_sid_of(row, op.payload)
    if op.outcome_unknown:
        remote = _existing(row, conversation_sid)
        if remote is not None:
            return Outcome(remote=remote, apply=mirror.apply_participant)
    try:
        remote = gateway.participant_create(
            conversation_sid=conversation_sid,
            identity=or_none(row.identity),
            messaging_binding_address=or_none(row.messaging_binding_address),
            messaging_binding_proxy_address=or_none(row.messaging_binding_proxy_address),
            messaging_binding_projected_address=or_none(row.messaging_binding_projected_address),
            attributes=or_none(row.attributes),
            role_sid=or_none(row.role_sid),
        )
    except GatewayError as error:
        if error.code not in (BINDING_IN_USE, IDENTITY_IN_USE):
            raise
        # Twilio says the person is already in a conversation: adopt them if
        # that is ours (an earlier try got through), refuse otherwise.
        remote = _existing(row, conversation_sid)
        if remote is None:
            raise _busy_elsewhere(row, error) from error
    return Outcome(remote=remote, apply=mirror.apply_participant)


def _existing(row, conversation_sid: str):
    """This row's participant on Twilio, if it already is in our conversation."""
    if row.identity:
        return fetched_or_none(gateway.participant_fetch, conversation_sid=conversation_sid, sid=row.identity)
    for entry in _bindings(row):
        if entry.conversation_sid == conversation_sid and entry.participant_sid:
            return gateway.participant_fetch(conversation_sid=conversation_sid, sid=entry.participant_sid)
    return None


def _bindings(row):
    """ParticipantConversations entries holding this row's address+proxy pair."""
    proxy = row.messaging_binding_proxy_address
    for entry in gateway.participant_conversation_list(address=row.messaging_binding_address):
        if not proxy or entry.binding_proxy_address in (None, proxy):
            yield entry


def _busy_elsewhere(row, error: GatewayError) -> GatewayError:
    if error.code != BINDING_IN_USE:
        return error
    others = [e.conversation_sid for e in _bindings(row) if e.conversation_state != "closed"]
    where = f"conversation {others[0]}" if others else "another conversation"
    return refused(
        code=BINDING_IN_USE,
        message=f"{row.messaging_binding_address} already talks to {row.messaging_binding_proxy_address} "
        f"in {where}. Close that conversation or remove the participant there first. "
        f"(Twilio: {error.message})",
    )


def update(op, row) -> Outcome:
    if row is None:
        return Outcome(cancelled="The participant was deleted; nothing to update.")
    if not row.sid:
        raise WaitForParent("The participant is not on Twilio yet.")
    binding = bool(row.messaging_binding_address)
    values = {
        "attributes": or_none(row.attributes),
        "role_sid": or_none(row.role_sid),
        "identity": None if binding else or_none(row.identity),
        "messaging_binding_proxy_address": or_none(row.messaging_binding_proxy_address) if binding else None,
        "messaging_binding_projected_address": or_none(row.messaging_binding_projected_address),
        "last_read_message_index": row.last_read_message_index,
    }
    remote = gateway.participant_update(
        conversation_sid=conversation_sid_of(row, op.payload), sid=row.sid, **pushed_fields(op, values)
    )
    return Outcome(remote=remote, apply=mirror.apply_participant)


def remove(op, row) -> Outcome:
    return remove_from_conversation(op, row, gateway.participant_delete)
