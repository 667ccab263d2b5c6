"""Programmable Messaging inbound (the WhatsApp sandbox flow lives here).

Every WhatsApp message that reaches a number's Messaging webhook is recorded as
a MessagingInbound: it opens WhatsApp's 24-hour window of the person with that
business sender, in every conversation (messaging/window.py). A message to an
enabled SandboxSender then starts a conversation (services/sandbox.py); any
other number's message is only recorded.

The applier runs outside apply.py's transaction (`outside_transaction`):
it waits on Twilio, and under SQLite an open transaction would hold the
database's write lock meanwhile, stalling every webhook being received (and,
against the simulator, which writes to the same database, never finishing).
"""

from conversations_ops.db_writes import write_transaction
from conversations_ops.models import MessagingInbound, SandboxSender
from conversations_ops.webhooks.parsing import MESSAGING_INBOUND
from conversations_ops.webhooks.sandbox.flow import sandbox_conversation_start

WHATSAPP = "whatsapp:"


def _record_window_opening(event, params) -> None:
    """Once per message (a replay finds it); only WhatsApp has a window. The Messaging webhook
    carries no date: the time it reached the console stands for Twilio's."""
    sid, sender, to = params.get("MessageSid"), params.get("From"), params.get("To")
    if not (sid and sender and to and sender.startswith(WHATSAPP)):
        return
    with write_transaction():
        MessagingInbound.objects.get_or_create(
            message_sid=sid, defaults={"from_address": sender, "to_address": to, "received_at": event.received_at}
        )


def messaging_inbound(event, params) -> str:
    _record_window_opening(event, params)
    to = params.get("To")
    sender = SandboxSender.objects.filter(address=to).first() if to else None
    if sender is None:
        return f"Recorded; {to or 'the To number'} is not a sandbox sender, nothing to start."
    if not sender.enabled:
        return f"Recorded; sandbox sender {to} is disabled, nothing started."
    return sandbox_conversation_start(event_id=event.pk, sender_id=sender.pk)


messaging_inbound.outside_transaction = True


MESSAGING_APPLIERS: dict = {MESSAGING_INBOUND: messaging_inbound}
