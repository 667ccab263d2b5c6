"""The simulated Twilio account's state, shared by every process through the database."""

from .account import SimAccountWebhooks, SimAddressConfiguration, SimContent, SimNumber
from .control import SimClock, SimFaults, SimHandsetEntry, SimWebhookDelivery
from .conversations import SimConversation, SimMessage, SimParticipant, SimReceipt, SimScopedWebhook
from .media import SimMedia
from .window import SimCustomerWindow

__all__ = [
    "SimAccountWebhooks",
    "SimAddressConfiguration",
    "SimClock",
    "SimContent",
    "SimCustomerWindow",
    "SimConversation",
    "SimFaults",
    "SimHandsetEntry",
    "SimMedia",
    "SimMessage",
    "SimNumber",
    "SimParticipant",
    "SimReceipt",
    "SimScopedWebhook",
    "SimWebhookDelivery",
]
