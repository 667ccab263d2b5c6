"""Mirror models of Twilio resources, plus the webhook inbox and the sync outbox."""

from .access import ConsoleAccess
from .account import AccountConfiguration
from .addresses import AddressConfiguration, AddressType, AutoCreationType, WebhookMethod
from .audit import AuditEntry, AuditResult, AuditSource
from .base import SyncState, TwilioMirror
from .clienteling import (
    Assignment,
    ClientelingTeam,
    Customer,
    CustomerConversation,
    CustomerSource,
    TeamMembership,
)
from .consent import OPT_IN_HOWS, OPT_OUT_HOWS, Consent, ConsentChange, ConsentHow, ConsentState
from .conversations import Conversation, ConversationState, ConversationWebhook, WebhookTarget
from .events import (
    EventSource,
    MessagingInbound,
    ProcessingState,
    SandboxSender,
    WebhookEvent,
    WebhookRejection,
)
from .health import MetricCounter, WorkerHeartbeat
from .messages import FAILED_RECEIPT_STATUSES, RECEIPT_PROGRESS, DeliveryReceipt, Direction, Message, ReceiptStatus
from .pairings import OPEN_STATES, Pairing, PairingState, PairingStep, StepKind, StepState
from .participants import BindingType, Participant, ParticipantRole
from .pull import PullCheckpoint
from .sync import OperationState, PacingBucket, SyncOperation
from .templates import ALERTING_STATUSES, AWAITING_APPROVAL_STATUSES, Template, TemplateStatusChange

__all__ = [
    "Consent",
    "ConsentChange",
    "ConsentHow",
    "ConsentState",
    "OPT_IN_HOWS",
    "OPT_OUT_HOWS",
    "Assignment",
    "ClientelingTeam",
    "Customer",
    "CustomerConversation",
    "CustomerSource",
    "TeamMembership",
    "AccountConfiguration",
    "ALERTING_STATUSES",
    "AWAITING_APPROVAL_STATUSES",
    "AddressConfiguration",
    "AddressType",
    "AuditEntry",
    "AuditResult",
    "AuditSource",
    "AutoCreationType",
    "ConsoleAccess",
    "WebhookTarget",
    "BindingType",
    "Conversation",
    "ConversationState",
    "ConversationWebhook",
    "DeliveryReceipt",
    "Direction",
    "EventSource",
    "Message",
    "MessagingInbound",
    "MetricCounter",
    "OPEN_STATES",
    "OperationState",
    "PacingBucket",
    "Pairing",
    "PairingState",
    "PairingStep",
    "Participant",
    "ParticipantRole",
    "ProcessingState",
    "PullCheckpoint",
    "SandboxSender",
    "StepKind",
    "StepState",
    "ReceiptStatus",
    "FAILED_RECEIPT_STATUSES",
    "RECEIPT_PROGRESS",
    "SyncOperation",
    "SyncState",
    "Template",
    "TemplateStatusChange",
    "TwilioMirror",
    "WebhookEvent",
    "WebhookRejection",
    "WebhookMethod",
    "WorkerHeartbeat",
]
