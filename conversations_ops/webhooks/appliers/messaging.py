"""Programmable Messaging inbound (the WhatsApp sandbox flow lives here).

A message to an enabled SandboxSender starts a conversation
(services/sandbox.py); any other number's message is only recorded.

The Twilio calls run right after `apply.py`'s transaction commits
(`transaction.on_commit`), in the same worker and still inside
`webhook_event_apply`: an exception there reaches its handler as if raised
here (processing_error, retried later). They must not run inside that
transaction: under SQLite it holds the database's write lock while Twilio
answers, which stalls every webhook being received meanwhile (and, against
the simulator, which writes to the same database, never finishes).
"""

from functools import partial

from django.db import transaction

from conversations_ops.models import SandboxSender
from conversations_ops.services.sandbox import inbound_of, sandbox_conversation_start, sandbox_outcome
from conversations_ops.webhooks.parsing import MESSAGING_INBOUND


def messaging_inbound(event, params) -> str:
    to = params.get("To")
    sender = SandboxSender.objects.filter(address=to).first() if to else None
    if sender is None:
        return f"Recorded; {to or 'the To number'} is not a sandbox sender, nothing to start."
    if not sender.enabled:
        return f"Recorded; sandbox sender {to} is disabled, nothing started."
    transaction.on_commit(partial(sandbox_conversation_start, event_id=event.pk, sender_id=sender.pk))
    return sandbox_outcome(inbound=inbound_of(params), sender=sender)


MESSAGING_APPLIERS: dict = {MESSAGING_INBOUND: messaging_inbound}
