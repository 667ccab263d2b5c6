"""Conversation-scoped webhooks: add (matching an earlier add) and remove."""

from conversations_ops.mirror import mapping as mirror
from conversations_ops.twilio import gateway

from .base import Outcome, conversation_sid_of, or_none, remove_from_conversation


def add(op, row) -> Outcome:
    if row is None:
        return Outcome(cancelled="The webhook was deleted before it reached Twilio.")
    conversation_sid = conversation_sid_of(row, op.payload)
    if op.outcome_unknown:
        # Scoped webhooks have no name to look up by; at most five exist, so
        # the same target, URL, filters and triggers identify ours.
        for remote in gateway.conversation_webhook_list(conversation_sid=conversation_sid):
            if _same(row, remote):
                return Outcome(remote=remote, apply=mirror.apply_conversation_webhook)
    remote = gateway.conversation_webhook_create(
        conversation_sid=conversation_sid,
        target=row.target,
        url=or_none(row.url),
        method=or_none(row.method),
        filters=or_none(list(row.filters or [])),
        triggers=or_none(list(row.triggers or [])),
        flow_sid=or_none(row.flow_sid),
        replay_after=row.replay_after,
    )
    return Outcome(remote=remote, apply=mirror.apply_conversation_webhook)


def _same(row, remote) -> bool:
    return (
        remote.target == row.target
        and (remote.url or "") == row.url
        and sorted(remote.filters) == sorted(row.filters or [])
        and sorted(remote.triggers) == sorted(row.triggers or [])
        and (remote.flow_sid or "") == row.flow_sid
    )


def remove(op, row) -> Outcome:
    return remove_from_conversation(op, row, gateway.conversation_webhook_delete)
