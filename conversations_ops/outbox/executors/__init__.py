"""One executor per outbox operation (outbox.queue.OPERATIONS).

`EXECUTORS[op.operation](op, row)` makes the operation true on Twilio and
returns an Outcome; see executors/base.py for the rules they share.
"""

from . import addresses, conversations, messages, participants, webhooks
from .base import Outcome, WaitForParent

EXECUTORS = {
    "address_configuration.create": addresses.create,
    "address_configuration.update": addresses.update,
    "address_configuration.delete": addresses.delete,
    "conversation.create": conversations.create,
    "conversation.update": conversations.update,
    "conversation.delete": conversations.delete,
    "participant.add": participants.add,
    "participant.update": participants.update,
    "participant.remove": participants.remove,
    "message.send": messages.send,
    "conversation_webhook.add": webhooks.add,
    "conversation_webhook.remove": webhooks.remove,
}

__all__ = ["EXECUTORS", "Outcome", "WaitForParent"]
