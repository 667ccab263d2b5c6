from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from conversations_ops import validators as v

from .base import LIVE_ON_TWILIO, TwilioMirror
from .conversations import Conversation

MESSAGE_ATTRIBUTES_MAX_BYTES = 4 * 1024


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound (from a person)"
    OUTBOUND = "outbound", "Outbound (from the business)"


class Message(TwilioMirror):
    # No index of its own: the (conversation, ...) indexes below lead with it.
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,
        help_text="The conversation this message belongs to.",
    )
    index = models.IntegerField(
        null=True, blank=True, help_text="Position in the conversation, set by Twilio (0, 1, 2, ...)."
    )
    author = models.CharField(
        max_length=256, blank=True, help_text="Who wrote it: a chat identity, a phone address or system."
    )
    body = models.TextField(
        blank=True, help_text="The text; when we send it, at most 1600 characters to SMS/WhatsApp, 32 KB to chat alone."
    )
    media = models.JSONField(
        null=True, blank=True, help_text="Attached files as Twilio lists them (type, name, SID, size)."
    )
    media_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator(v.MEDIA_PREFIX)],
        help_text="Uploaded media to send (ME...).",
    )
    content_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator(v.CONTENT_PREFIX)],
        help_text="Approved template to send (HX...); Twilio then ignores body and media.",
    )
    content_variables = models.TextField(
        blank=True,
        validators=[v.validate_content_variables],
        help_text='Values for the template placeholders, e.g. {"1": "Ana"}.',
    )
    attributes = models.TextField(
        default="{}",
        validators=[v.validate_json_object_text(MESSAGE_ATTRIBUTES_MAX_BYTES)],
        help_text="Extra data as a JSON object, at most 4 KB.",
    )
    subject = models.CharField(max_length=256, blank=True, help_text="Subject line (email and MMS only).")
    participant_sid = models.CharField(
        max_length=34,
        blank=True,
        validators=[v.sid_validator(v.PARTICIPANT_PREFIX)],
        help_text="Participant who wrote it (MB...); empty for system messages.",
    )
    direction = models.CharField(
        max_length=8,
        choices=Direction.choices,
        default=Direction.OUTBOUND,
        help_text="Whether a person sent it to the business or the business sent it.",
    )
    delivery = models.JSONField(
        null=True, blank=True, help_text="Twilio's delivery summary: total, sent, delivered, read, failed."
    )

    class Meta(TwilioMirror.Meta):
        constraints = [
            *TwilioMirror.Meta.constraints,
            models.UniqueConstraint(
                fields=["conversation", "index"],
                # A message deleted on Twilio gives its index up: Twilio hands the
                # index out again when the last message was deleted.
                condition=Q(index__isnull=False) & LIVE_ON_TWILIO,
                name="%(app_label)s_message_unique_index",
                violation_error_message="This conversation already has a message at this index.",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "index"], name="message_history_idx"),
            models.Index(fields=["date_created"], name="message_date_created_idx"),
            # The history list, newest first, on a table of millions (bench/admin_changelist.py):
            # one conversation, one author (search by number), one template (HX... search).
            models.Index(fields=["conversation", "date_created"], name="message_conversation_date_idx"),
            models.Index(fields=["author", "date_created"], name="message_author_date_idx"),
            models.Index(fields=["content_sid", "date_created"], name="message_template_date_idx"),
            # Declared here rather than with db_index, which on PostgreSQL adds a second "_like" index.
            models.Index(fields=["participant_sid"], name="message_participant_idx"),
        ]

    def __str__(self):
        if self.index is None:
            return self.sid_or_placeholder
        return f"{self.sid_or_placeholder} #{self.index}"

    def clean(self):
        if not (self.body or self.media or self.media_sid or self.content_sid):
            raise ValidationError({"body": "Write a body, attach media (ME...) or pick a template (HX...)."})
        # Only what we send is capped, by the channels of the conversation it goes to.
        if self.direction == Direction.OUTBOUND and self.body:
            reaches_phones = self.conversation.reaches_phones() if self.conversation_id else True
            if problem := v.message_body_problem(self.body, reaches_phones=reaches_phones):
                raise ValidationError({"body": problem})
        if self.content_variables and not self.content_sid:
            raise ValidationError({"content_variables": "Template variables need a template (content SID)."})


class ReceiptStatus(models.TextChoices):
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    READ = "read", "Read"
    FAILED = "failed", "Failed"
    UNDELIVERED = "undelivered", "Undelivered"


# A receipt in one of these did not reach its recipient.
FAILED_RECEIPT_STATUSES = (ReceiptStatus.FAILED, ReceiptStatus.UNDELIVERED)

# How far a receipt got, the one ranking every path uses: a receipt only moves to a higher
# rank. Twilio sends receipts later, out of order and sometimes twice, so a late `sent` or
# `delivered` never undoes `read`, and `undelivered` and `failed` are final.
RECEIPT_PROGRESS = {
    ReceiptStatus.SENT: 1,
    ReceiptStatus.DELIVERED: 2,
    ReceiptStatus.READ: 3,
    ReceiptStatus.UNDELIVERED: 4,
    ReceiptStatus.FAILED: 5,
}


class DeliveryReceipt(TwilioMirror):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="receipts", help_text="The message this is about."
    )
    participant_sid = models.CharField(max_length=34, blank=True, help_text="Participant the message went to (MB...).")
    channel_message_sid = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="The SMS or WhatsApp message id (SM... or WA...).",
    )
    status = models.CharField(max_length=16, choices=ReceiptStatus.choices, help_text="How far delivery got.")
    error_code = models.PositiveIntegerField(
        null=True, blank=True, help_text="Twilio's error code when it failed, e.g. 63016."
    )

    class Meta(TwilioMirror.Meta):
        verbose_name = "delivery receipt"
        indexes = [
            # The history's delivery filter: messages with a receipt in a given status.
            models.Index(fields=["status", "message"], name="receipt_status_message_idx"),
            # The dashboard's failures of the last days; only failures pay for it.
            models.Index(
                fields=["date_updated"],
                condition=Q(status__in=["failed", "undelivered"]),
                name="receipt_failed_updated_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} ({self.sid_or_placeholder})"
