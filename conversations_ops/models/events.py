from django.db import models

from conversations_ops import validators as v
from conversations_ops.masking import mask_numbers_in


class EventSource(models.TextChoices):
    CONVERSATIONS = "conversations", "Conversations webhook"
    MESSAGING = "messaging", "Messaging webhook"
    STATUS = "status", "Status callback"


class ProcessingState(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored (pre-event: nothing to apply)"
    UNHANDLED = "unhandled", "Unhandled (unknown event, kept)"
    FAILED = "failed", "Failed"


class WebhookEvent(models.Model):
    """One webhook delivery from Twilio, stored raw before anything is applied."""

    source = models.CharField(max_length=16, choices=EventSource.choices, help_text="Which Twilio webhook sent it.")
    event_type = models.CharField(max_length=64, help_text="Twilio's event name, e.g. onMessageAdded.")
    dedup_key = models.CharField(
        max_length=255, help_text="Identifies the event so a repeated delivery is stored once."
    )
    # Kept exactly as received (repeated keys, order) so the signature can be re-checked.
    params = models.JSONField(default=list, help_text="The form fields exactly as Twilio sent them.")
    headers = models.JSONField(default=dict, blank=True, help_text="The request headers that matter.")
    signature_valid = models.BooleanField(default=False, help_text="Whether Twilio's signature checked out.")
    signature_algorithm = models.CharField(
        max_length=16, blank=True, help_text="HMAC-SHA1 (auth token) or HMAC-SHA256 (signing key)."
    )
    signed_url = models.CharField(
        max_length=1024, blank=True, help_text="The URL the signature was checked against (PUBLIC_BASE_URL + path)."
    )
    received_at = models.DateTimeField(auto_now_add=True, help_text="When it arrived.")
    conversation_sid = models.CharField(max_length=34, blank=True, help_text="Conversation it is about (CH...).")
    message_sid = models.CharField(max_length=34, blank=True, help_text="Message it is about (IM..., SM... or WA...).")
    participant_sid = models.CharField(max_length=34, blank=True, help_text="Participant it is about (MB...).")
    processing_state = models.CharField(
        max_length=16,
        choices=ProcessingState.choices,
        default=ProcessingState.PENDING,
        help_text="Whether the console has applied it yet.",
    )
    processed_at = models.DateTimeField(null=True, blank=True, help_text="When it was applied.")
    processing_error = models.TextField(blank=True, help_text="Why applying it failed.")
    outcome = models.CharField(
        max_length=500, blank=True, help_text="What the console did with it, e.g. “message IM… stored”."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="How often applying it was tried.")
    # A worker's claim while it applies the event; an expired claim means the
    # worker died and the event is applied again (appliers are idempotent).
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]  # arrival order, on the primary key: no index on received_at to maintain
        verbose_name = "webhook event"
        # Every index costs each webhook INSERT (the hot path of ingest), so
        # there are only those a query needs, and one per column: declared
        # here rather than with db_index/unique, which on PostgreSQL add a
        # second "_like" index to every text column. The SID indexes use the
        # pattern operator class, which serves both the exact and the prefix
        # search of the admin (other databases ignore it).
        # (The dedup key's too: a receipt SID is searched as the start of its key.)
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"], name="webhookevent_dedup_key", opclasses=["varchar_pattern_ops"]
            )
        ]
        indexes = [
            # The inbox index also serves filters on the state alone (its first column).
            models.Index(fields=["processing_state", "id"], name="webhookevent_inbox"),
            models.Index(fields=["event_type"], name="webhookevent_event_type"),
            *(
                models.Index(fields=[column], name=f"webhookevent_{column}", opclasses=["varchar_pattern_ops"])
                for column in ("conversation_sid", "message_sid", "participant_sid")
            ),
        ]

    def __str__(self):
        # A name is printed in titles, breadcrumbs, links, logs and the admin log: never a whole number.
        if self.received_at is None:
            return mask_numbers_in(self.event_type)
        return f"{mask_numbers_in(self.event_type)} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class WebhookRejection(models.Model):
    """Counts refused webhook requests per reason; the requests themselves are never stored."""

    reason = models.CharField(max_length=32, unique=True, help_text="e.g. bad_signature, malformed, too_large.")
    count = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True, help_text="When the last one was refused.")

    class Meta:
        verbose_name = "refused webhook counter"

    def __str__(self):
        return f"{mask_numbers_in(self.reason)}: {self.count}"


class SandboxSender(models.Model):
    """A WhatsApp sandbox number (no auto-creation on Twilio): the console
    builds the conversation itself when someone writes to it (the guide's sandbox
    Function; docs/twilio-reference.md)."""

    address = models.CharField(
        max_length=256,
        unique=True,
        validators=[v.validate_whatsapp_address],
        help_text="The sandbox sender, e.g. whatsapp:+14155238886. Its “When a message comes in” URL must be "
        "PUBLIC_BASE_URL/webhooks/twilio/messaging/.",
    )
    friendly_name = models.CharField(max_length=256, blank=True, help_text="A name staff recognise.")
    studio_flow_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator("FW")],
        help_text="Studio flow (FW...) to attach to each new conversation on onMessageAdded; empty: none.",
    )
    enabled = models.BooleanField(default=True, help_text="Off: inbound messages are recorded but start nothing.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "WhatsApp sandbox sender"

    def __str__(self):
        # A name is printed in titles, breadcrumbs, links, logs and the admin log: never a whole number.
        return mask_numbers_in(self.friendly_name) or self.address  # the sandbox's number is Twilio's


class MessagingInbound(models.Model):
    """A person's message that reached a number's Messaging webhook (Programmable Messaging,
    not a conversation): it opens WhatsApp's 24-hour window of that person with that business
    sender like a message in a conversation does (messaging/window.py). Recorded once per
    message from the webhook inbox; WhatsApp senders only (SMS has no window)."""

    message_sid = models.CharField(
        max_length=34, unique=True, help_text="Twilio's id of the message (SM... or MM...): recorded once."
    )
    from_address = models.CharField(max_length=256, help_text="The person who wrote, e.g. whatsapp:+14155550100.")
    to_address = models.CharField(max_length=256, help_text="The business sender they wrote to.")
    received_at = models.DateTimeField(
        help_text="When the console received it (the Messaging webhook carries no date of its own)."
    )

    class Meta:
        verbose_name = "Messaging inbound message"
        indexes = [
            # The window's question: the newest message of this person to this sender.
            models.Index(fields=["from_address", "to_address", "received_at"], name="messaging_inbound_window_idx"),
        ]

    def __str__(self):
        return self.message_sid
