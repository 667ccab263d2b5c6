"""What every executor shares: its result, its refusals and small lookups.

An executor makes ONE outbox operation true on Twilio, reading the mirror
row as it is now (not as it was when queued) plus the operation's payload.
Each is idempotent: run twice, or after a try whose answer was lost
(`op.outcome_unknown`), it finds what the first try made instead of making
a second one. Executors leave the mirror to the runner, which applies the
Outcome in the transaction that closes the operation; the one write an
executor makes is conversations.create storing the unique name it generated
before the call, so the mirror shows the name Twilio will know.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from conversations_ops.twilio.gateway import GatewayError


@dataclass(frozen=True)
class Outcome:
    remote: object | None = None  # the Twilio record now matching the row
    apply: Callable | None = None  # mirror.apply_* that copies it onto the row
    delete_row: bool = False  # the resource is gone on Twilio: drop the mirror row
    cancelled: str = ""  # nothing to do any more, and why (e.g. the row was deleted)

    @property
    def sid(self) -> str:
        return getattr(self.remote, "sid", "") or ""


class WaitForParent(Exception):
    """The conversation this belongs to is not on Twilio yet; try again later."""


def refused(*, code: int | None, message: str, status: int = 409) -> GatewayError:
    """A refusal decided here (e.g. the address is busy in ANOTHER conversation):
    shaped like Twilio's, so it fails the operation the same way."""
    return GatewayError(status=status, code=code, message=message)


def is_not_found(error: GatewayError) -> bool:
    return error.status == 404


def fetched_or_none(fetch: Callable, **ids):
    """The record `fetch(**ids)` answers, or None when Twilio has no such record (404)."""
    try:
        return fetch(**ids)
    except GatewayError as error:
        if is_not_found(error):
            return None
        raise


def deleted_on_twilio(delete: Callable[..., None], **ids) -> Outcome:
    """Deletes on Twilio; a resource Twilio no longer has (404) counts as deleted:
    a retried delete whose first try went through must not fail. The mirror row
    goes once the operation settles."""
    try:
        delete(**ids)
    except GatewayError as error:
        if not is_not_found(error):
            raise
    return Outcome(delete_row=True)


def json_object(text: str | None) -> dict:
    """A JSON-object text field of a mirror row as a dict ({} when empty)."""
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def or_none(value):
    """Blank model fields mean "not given": the gateway then leaves them out."""
    return value if value not in ("", None, []) else None


def pushed_fields(op, values: dict) -> dict:
    """An update pushes the row's current values: those of the fields the
    change named (payload {"fields": [...]}), or all when it named none."""
    named = op.payload.get("fields")
    return {name: value for name, value in values.items() if not named or name in named}


def conversation_sid_of(row, payload: dict) -> str:
    """The parent conversation's SID for a child (participant, message, webhook).

    Read fresh: the parent may have been created on Twilio after this
    operation was queued. Raises WaitForParent while it has no SID.
    """
    sid = ""
    if row is not None:
        parent = type(row.conversation).objects.filter(pk=row.conversation_id).only("sid").first()
        sid = parent.sid if parent else ""
    sid = sid or payload.get("conversation_sid", "")
    if not sid:
        raise WaitForParent("The conversation is not on Twilio yet.")
    return sid


def remove_from_conversation(op, row, delete: Callable[..., None]) -> Outcome:
    """Deletes a conversation's child (participant, scoped webhook) on Twilio (deleted_on_twilio)."""
    sid = (row.sid if row is not None else "") or op.payload.get("sid", "")
    conversation_sid = op.payload.get("conversation_sid", "")
    if row is not None and not conversation_sid:
        conversation_sid = row.conversation.sid
    if sid and conversation_sid:
        return deleted_on_twilio(delete, conversation_sid=conversation_sid, sid=sid)
    return Outcome(delete_row=True)
