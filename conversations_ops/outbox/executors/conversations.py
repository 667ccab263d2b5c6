"""Conversations: create (idempotent by unique_name), update, delete."""

from conversations_ops.mirror import mapping as mirror
from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError

from .base import Outcome, WaitForParent, deleted_on_twilio, fetched_or_none, or_none, pushed_fields, refused

UNIQUE_NAME_TAKEN = 50353
# The states a REST update may set; "initializing" is Twilio's alone.
SETTABLE_STATES = ("active", "inactive", "closed")


def unique_name_for(row) -> str:
    """Twilio refuses a second conversation with one unique name, which is what
    makes a retried create safe; rows without one get a name from the local id."""
    return row.unique_name or f"ops-{row.local_id}"


def create(op, row) -> Outcome:
    if row is None:
        return Outcome(cancelled="The conversation was deleted before it reached Twilio.")
    name = unique_name_for(row)
    if row.unique_name != name:
        # Stored before the call, so the mirror shows the name Twilio will know.
        type(row).objects.filter(pk=row.pk).update(unique_name=name)
    if op.outcome_unknown:
        remote = _fetch(name)
        if remote is not None:
            return Outcome(remote=remote, apply=mirror.apply_conversation)
    try:
        remote = gateway.conversation_create(unique_name=name, **_fields(row))
    except GatewayError as error:
        if error.code != UNIQUE_NAME_TAKEN:
            raise
        remote = _adopt_taken(op, row, name, error)
    return Outcome(remote=remote, apply=mirror.apply_conversation)


def _adopt_taken(op, row, name: str, error: GatewayError):
    """The name is taken: ours when we generated it or an earlier try may have
    made it; a name staff chose may belong to someone else's conversation."""
    remote = _fetch(name)
    if remote is None:
        raise error
    if name == f"ops-{row.local_id}" or op.outcome_unknown:
        return remote
    raise refused(
        code=UNIQUE_NAME_TAKEN,
        message=f"Conversation {remote.sid} on Twilio already uses the unique name '{name}'.",
    )


def _fetch(name: str):
    return fetched_or_none(gateway.conversation_fetch, sid=name)


def _fields(row) -> dict:
    return {
        "friendly_name": or_none(row.friendly_name),
        "attributes": or_none(row.attributes),
        "state": row.state if row.state in SETTABLE_STATES else None,
        "timers_inactive": or_none(row.timers_inactive),
        "timers_closed": or_none(row.timers_closed),
        "messaging_service_sid": or_none(row.messaging_service_sid),
    }


def update(op, row) -> Outcome:
    if row is None:
        return Outcome(cancelled="The conversation was deleted; nothing to update.")
    if not row.sid:
        raise WaitForParent("The conversation is not on Twilio yet.")
    values = {"unique_name": or_none(row.unique_name), **_fields(row)}
    remote = gateway.conversation_update(sid=row.sid, **pushed_fields(op, values))
    return Outcome(remote=remote, apply=mirror.apply_conversation)


def delete(op, row) -> Outcome:
    sid = (row.sid if row is not None else "") or op.payload.get("sid", "")
    return deleted_on_twilio(gateway.conversation_delete, sid=sid) if sid else Outcome(delete_row=True)
