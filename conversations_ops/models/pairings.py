"""A courier paired with a customer behind one business number (masked communication).

The console runs the flow of Twilio's guide "Using WhatsApp with Conversations"
(section "Starting More Professionally"; docs/twilio-reference.md): a
conversation with both people, an invite template to the customer, and, once the
customer replies, an auto-reply to them and a second template that connects the
courier. Each step is a push through the outbox; `PairingStep` is the timeline
staff read.
"""

import uuid

from django.conf import settings
from django.db import models

from conversations_ops import validators as v

from .addresses import AddressConfiguration
from .conversations import Conversation
from .sync import SyncOperation
from .templates import Template

DEFAULT_AUTO_REPLY = "Great! Just a moment while we connect you..."


def default_reply_timeout() -> int:
    return settings.PAIRING_REPLY_TIMEOUT_MINUTES


class PairingState(models.TextChoices):
    STARTING = "starting", "Starting (setting up on Twilio)"
    AWAITING_CUSTOMER = "awaiting_customer", "Awaiting customer"
    CONNECTING = "connecting", "Connecting the courier"
    CONNECTED = "connected", "Connected"
    EXPIRED = "expired", "Expired (no reply in time)"
    CLOSING = "closing", "Closing"
    CLOSED = "closed", "Closed"
    FAILED = "failed", "Failed (retry or abandon)"
    ABANDONED = "abandoned", "Abandoned"


# States in which the pairing still holds its conversation's number pairs.
OPEN_STATES = (
    PairingState.STARTING,
    PairingState.AWAITING_CUSTOMER,
    PairingState.CONNECTING,
    PairingState.CONNECTED,
    PairingState.FAILED,
)


class Pairing(models.Model):
    local_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="This console's own id for the pairing."
    )
    sender = models.ForeignKey(
        AddressConfiguration,
        on_delete=models.PROTECT,
        related_name="pairings",
        help_text="The business WhatsApp number both people talk to.",
    )
    sms_sender = models.CharField(
        max_length=32,
        blank=True,
        validators=[v.validate_e164],
        help_text="The business SMS number an SMS party talks to (empty when both are on WhatsApp).",
    )
    customer_address = models.CharField(
        max_length=64,
        validators=[v.validate_messaging_address],
        help_text="The customer's phone: whatsapp:+E.164 for WhatsApp, +E.164 for SMS.",
    )
    courier_address = models.CharField(
        max_length=64,
        validators=[v.validate_messaging_address],
        help_text="The courier's phone: whatsapp:+E.164 for WhatsApp, +E.164 for SMS.",
    )
    invite_template = models.ForeignKey(
        Template,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Approved template sent to the customer, e.g. courier_invite.",
    )
    invite_variables = models.JSONField(
        default=dict, blank=True, help_text='Its placeholders, e.g. {"1": "Robert", "2": "Alicia"}.'
    )
    connected_template = models.ForeignKey(
        Template,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Approved template sent to the courier once the customer replied, e.g. courier_connected.",
    )
    connected_variables = models.JSONField(default=dict, blank=True, help_text="Its placeholders, if it has any.")
    auto_reply = models.CharField(
        max_length=1600,
        default=DEFAULT_AUTO_REPLY,
        help_text="Sent to the customer right after their first reply.",
    )
    reply_timeout_minutes = models.PositiveIntegerField(
        default=default_reply_timeout,
        help_text="Minutes the customer has to reply before the pairing expires and its conversation is closed.",
    )
    conversation = models.OneToOneField(
        Conversation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pairing",
        help_text="The Twilio conversation the two people share.",
    )
    state = models.CharField(
        max_length=20,
        choices=PairingState.choices,
        default=PairingState.STARTING,
        help_text="Where the pairing stands.",
    )
    # When a step failed: the state to go back to on Retry.
    failed_from = models.CharField(max_length=20, choices=PairingState.choices, blank=True)
    failure = models.TextField(blank=True, help_text="What failed, Twilio's code in plain words, what to do.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff member who started it.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was started.")
    updated_at = models.DateTimeField(auto_now=True)
    invited_at = models.DateTimeField(null=True, blank=True, help_text="When Twilio accepted the invite.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When it expires without a reply.")
    replied_at = models.DateTimeField(null=True, blank=True, help_text="When the customer's first reply arrived.")
    connected_at = models.DateTimeField(null=True, blank=True, help_text="When the courier was connected.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it was closed, expired or abandoned.")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "expires_at"], name="pairing_state_idx")]

    def __str__(self):
        return f"Pairing #{self.pk}" if self.pk else "New pairing"

    @property
    def unique_name(self) -> str:
        return f"pairing-{self.local_id}"


class StepKind(models.TextChoices):
    PREFLIGHT = "preflight", "Pre-flight checks"
    CONVERSATION = "conversation", "Create the conversation"
    CUSTOMER = "customer", "Add the customer"
    COURIER = "courier", "Add the courier"
    WEBHOOK = "webhook", "Watch for the customer's reply (scoped webhook)"
    INVITE = "invite", "Send the invite template to the customer"
    REPLY = "reply", "Customer replied"
    AUTO_REPLY = "auto_reply", "Send the auto-reply to the customer"
    CONNECTED = "connected", "Send the connected template to the courier"
    COURIER_REPLACE = "courier_replace", "Replace the courier"
    COURIER_REMOVE = "courier_remove", "Remove the previous courier"
    WEBHOOK_REMOVE = "webhook_remove", "Remove the scoped webhook"
    EXPIRED = "expired", "Expired"
    CLOSE = "close", "Close the conversation"
    RETRY = "retry", "Retry"
    ABANDON = "abandon", "Abandon"


class StepState(models.TextChoices):
    QUEUED = "queued", "Queued"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    NOTE = "note", "Note"


class PairingStep(models.Model):
    """One line of a pairing's timeline: a push and Twilio's answer, or what happened."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    state = models.CharField(max_length=12, choices=StepState.choices, default=StepState.QUEUED)
    operation = models.ForeignKey(
        SyncOperation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pairing_steps",
        help_text="The push that carries this step.",
    )
    result_sid = models.CharField(max_length=34, blank=True, help_text="What Twilio created or changed.")
    error_code = models.PositiveIntegerField(null=True, blank=True, help_text="Twilio's error code, if it failed.")
    detail = models.TextField(blank=True, help_text="Twilio's result or what happened, in plain words.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_state_display()}"
