"""Messages: send once, even when Twilio's answer to the first send was lost."""

import itertools
import json

from conversations_ops.mirror import mapping as mirror
from conversations_ops.mirror.rules import LOCAL_ID_ATTRIBUTE
from conversations_ops.outbox.refusals import message_refusals
from conversations_ops.twilio import gateway

from .base import Outcome, conversation_sid_of, json_object, or_none, refused

# How far back a re-send looks for the first try: messages arrive in order
# and ours was among the latest, so the newest page is enough.
LOOKBACK = 50


def attributes_for(row) -> str:
    """The row's attributes plus our local id, the mark a retry looks for."""
    return json.dumps({**json_object(row.attributes), LOCAL_ID_ATTRIBUTE: str(row.local_id)})


def send(op, row) -> Outcome:
    if row is None:
        return Outcome(cancelled="The message was deleted before it reached Twilio.")
    conversation_sid = conversation_sid_of(row, op.payload)
    if op.outcome_unknown:
        remote = _already_sent(row, conversation_sid)
        if remote is not None:
            return Outcome(remote=remote, apply=mirror.apply_message)
    # Queued before the person opted out (a pairing's template, a bulk run, a retry): it fails
    # with the reason rather than reach them; Twilio would refuse an SMS with 21610 anyway.
    if refusals := message_refusals(conversation_id=row.conversation_id, author=row.author, attributes=row.attributes):
        raise refused(code=None, message="Not sent: " + " ".join(refusals))
    template = bool(row.content_sid)
    remote = gateway.message_create(
        conversation_sid=conversation_sid,
        author=or_none(row.author),
        # With a template Twilio ignores body and media; sending them only confuses the audit.
        body=None if template else or_none(row.body),
        media_sid=None if template else or_none(row.media_sid),
        content_sid=or_none(row.content_sid),
        content_variables=json_object(row.content_variables) if template and row.content_variables else None,
        attributes=attributes_for(row),
        subject=or_none(row.subject),
    )
    return Outcome(remote=remote, apply=mirror.apply_message)


def _already_sent(row, conversation_sid: str):
    marker = str(row.local_id)
    newest = gateway.message_list(conversation_sid=conversation_sid, order="desc", page_size=LOOKBACK)
    for remote in itertools.islice(newest, LOOKBACK):
        if json_object(remote.attributes).get(LOCAL_ID_ATTRIBUTE) == marker:
            return remote
    return None
