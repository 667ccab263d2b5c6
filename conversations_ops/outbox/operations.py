"""The registry of pushes: every outbox operation the console makes, in one place.

Per operation name: the executor that makes it true on Twilio, and the Twilio
rate-limit scope it counts against (30 actions/s per conversation or per
service; None where Twilio documents no such limit). Every operation is
ordered by the one rule of `ordering_key_for`: operations on one
conversation (and what lives in it), or on one address, run in the order
they were queued.
"""

from collections.abc import Callable
from dataclasses import dataclass

from conversations_ops.outbox.executors import addresses, conversations, messages, participants, webhooks


@dataclass(frozen=True)
class Operation:
    execute: Callable  # (op, row) -> Outcome; see executors/base.py
    pacing: str | None  # "service", "conversation", or None (not paced)


OPERATIONS: dict[str, Operation] = {
    "address_configuration.create": Operation(addresses.create, None),
    "address_configuration.update": Operation(addresses.update, None),
    "address_configuration.delete": Operation(addresses.delete, None),
    "conversation.create": Operation(conversations.create, "service"),
    "conversation.update": Operation(conversations.update, "conversation"),
    "conversation.delete": Operation(conversations.delete, "service"),
    "participant.add": Operation(participants.add, "conversation"),
    "participant.update": Operation(participants.update, "conversation"),
    "participant.remove": Operation(participants.remove, "conversation"),
    "message.send": Operation(messages.send, "conversation"),
    "conversation_webhook.add": Operation(webhooks.add, None),
    "conversation_webhook.remove": Operation(webhooks.remove, None),
}


def ordering_key_for(instance) -> str:
    """Operations on one conversation (or one address) run in the order they were queued."""
    conversation = getattr(instance, "conversation", None)
    owner = conversation if conversation is not None else instance
    return f"{owner._meta.model_name}:{owner.local_id}"
