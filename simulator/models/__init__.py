"""The simulated Twilio account's state, shared by every process through the database."""

from .account import SimAccountWebhooks, SimAddressConfiguration, SimContent, SimNumber
from .consent import SimOptOut
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
    "SimOptOut",
    "SimParticipant",
    "SimReceipt",
    "SimScopedWebhook",
    "SimWebhookDelivery",
]
