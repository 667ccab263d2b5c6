"""The simulated Twilio account's state, shared by every process through the database."""

from .account import (
    SimAccountWebhooks,
    SimAddressConfiguration,
    SimConfiguration,
    SimContent,
    SimNumber,
    SimService,
)
from .control import SimClock, SimFaults, SimHandsetEntry, SimWebhookDelivery
from .conversations import SimConversation, SimMessage, SimParticipant, SimReceipt, SimScopedWebhook
from .media import SimMedia

__all__ = [
    "SimAccountWebhooks",
    "SimAddressConfiguration",
    "SimClock",
    "SimConfiguration",
    "SimContent",
    "SimConversation",
    "SimFaults",
    "SimHandsetEntry",
    "SimMedia",
    "SimMessage",
    "SimNumber",
    "SimParticipant",
    "SimReceipt",
    "SimScopedWebhook",
    "SimService",
    "SimWebhookDelivery",
]
