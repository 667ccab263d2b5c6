"""The simulated Twilio account's state, shared by every process through the database."""

from .account import (
    SimAccountWebhooks,
    SimAddressConfiguration,
    SimConfiguration,
    SimContent,
    SimNumber,
    SimPhoneNumber,
    SimService,
    SimWhatsAppSender,
)
from .consent import SimOptOut, SimWhatsAppPreference
from .control import (
    SimClock,
    SimDeliverySettings,
    SimFaults,
    SimHandsetDelivery,
    SimHandsetEntry,
    SimWebhookDelivery,
)
from .conversations import (
    SimConversation,
    SimMessage,
    SimParticipant,
    SimReceipt,
    SimReceiptStep,
    SimScopedWebhook,
)
from .media import SimMedia
from .studio import SimStudioFlow
from .window import SimCustomerWindow

__all__ = [
    "SimAccountWebhooks",
    "SimAddressConfiguration",
    "SimClock",
    "SimConfiguration",
    "SimContent",
    "SimCustomerWindow",
    "SimConversation",
    "SimDeliverySettings",
    "SimFaults",
    "SimHandsetDelivery",
    "SimHandsetEntry",
    "SimMedia",
    "SimMessage",
    "SimNumber",
    "SimOptOut",
    "SimParticipant",
    "SimPhoneNumber",
    "SimReceipt",
    "SimReceiptStep",
    "SimScopedWebhook",
    "SimService",
    "SimStudioFlow",
    "SimWebhookDelivery",
    "SimWhatsAppPreference",
    "SimWhatsAppSender",
]
