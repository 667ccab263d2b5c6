"""Programmable Messaging inbound (the WhatsApp sandbox flow lives here).

A message to an enabled SandboxSender starts a conversation
(services/sandbox.py); any other number's message is only recorded.

The applier runs outside apply.py's transaction (`outside_transaction`):
it waits on Twilio, and under SQLite an open transaction would hold the
database's write lock meanwhile, stalling every webhook being received (and,
against the simulator, which writes to the same database, never finishing).
"""

from conversations_ops.models import SandboxSender
from conversations_ops.webhooks.parsing import MESSAGING_INBOUND
from conversations_ops.webhooks.sandbox.flow import sandbox_conversation_start


def messaging_inbound(event, params) -> str:
    to = params.get("To")
    sender = SandboxSender.objects.filter(address=to).first() if to else None
    if sender is None:
        return f"Recorded; {to or 'the To number'} is not a sandbox sender, nothing to start."
    if not sender.enabled:
        return f"Recorded; sandbox sender {to} is disabled, nothing started."
    return sandbox_conversation_start(event_id=event.pk, sender_id=sender.pk)


messaging_inbound.outside_transaction = True


MESSAGING_APPLIERS: dict = {MESSAGING_INBOUND: messaging_inbound}
