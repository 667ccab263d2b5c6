"""The simulated Twilio account's state, shared by every process through the database."""

from .account import (
    SimAccountWebhooks,
    SimAddressConfiguration,
    SimContent,
    SimNumber,
    SimPhoneNumber,
    SimWhatsAppSender,
)
from .control import SimClock, SimFaults, SimHandsetEntry, SimWebhookDelivery
from .conversations import SimConversation, SimMessage, SimParticipant, SimReceipt, SimScopedWebhook
from .media import SimMedia

__all__ = [
    "SimAccountWebhooks",
    "SimAddressConfiguration",
    "SimClock",
    "SimContent",
    "SimConversation",
    "SimFaults",
    "SimHandsetEntry",
    "SimMedia",
    "SimMessage",
    "SimNumber",
    "SimParticipant",
    "SimPhoneNumber",
    "SimReceipt",
    "SimScopedWebhook",
    "SimWebhookDelivery",
    "SimWhatsAppSender",
]
