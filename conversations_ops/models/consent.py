"""The consent registry (issue 20): may the business message this person from this sender?

One `Consent` row per person address and business sender (WhatsApp and SMS are separate
addresses, so separate rows), holding the current state; every change is a `ConsentChange`
with how it happened and its evidence (the message SID, the time, the staff member, the
keyword or the reason). The current state is the latest change's (by when it happened, then
by when it was recorded), so a webhook applied late never overturns a newer change.
The rules live in conversations_ops/consent/; this module holds no I/O.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from conversations_ops.masking import mask_numbers_in


class ConsentState(models.TextChoices):
    OPTED_IN = "opted_in", "Opted in"
    OPTED_OUT = "opted_out", "Opted out"
    UNKNOWN = "unknown", "Unknown"


class ConsentHow(models.TextChoices):
    # Opting in.
    INVITE_REPLY = "invite_reply", "Replied to an invite"
    WROTE_FIRST = "wrote_first", "Wrote first"
    IMPORTED = "imported", "Imported with a source"
    STAFF_OPT_IN = "staff_opt_in", "Confirmed by staff with a reason"
    KEYWORD_OPT_IN = "keyword_opt_in", "Sent an opt-in keyword (START)"
    # Opting out.
    KEYWORD_OPT_OUT = "keyword_opt_out", "Sent an opt-out keyword (STOP)"
    STAFF_OPT_OUT = "staff_opt_out", "Opted out by staff on request"
    TWILIO_21610 = "twilio_21610", "Twilio refused a message with 21610"
    WHATSAPP_CODE = "whatsapp_code", "WhatsApp refused a message with an opt-out code"


OPT_IN_HOWS = frozenset(
    {
        ConsentHow.INVITE_REPLY,
        ConsentHow.WROTE_FIRST,
        ConsentHow.IMPORTED,
        ConsentHow.STAFF_OPT_IN,
        ConsentHow.KEYWORD_OPT_IN,
    }
)
OPT_OUT_HOWS = frozenset(
    {ConsentHow.KEYWORD_OPT_OUT, ConsentHow.STAFF_OPT_OUT, ConsentHow.TWILIO_21610, ConsentHow.WHATSAPP_CODE}
)


class Consent(models.Model):
    address = models.CharField(
        max_length=64,
        help_text="The person: whatsapp:+E.164 for WhatsApp, +E.164 for SMS (masked unless one may see numbers).",
    )
    sender = models.CharField(
        max_length=64,
        help_text="The business sender they agreed (or refused) to hear from: a WhatsApp sender or SMS number.",
    )
    state = models.CharField(
        max_length=12,
        choices=ConsentState.choices,
        default=ConsentState.UNKNOWN,
        help_text="The latest change's: opted in, opted out, or unknown (nothing recorded yet).",
    )
    how = models.CharField(
        max_length=16,
        choices=ConsentHow.choices,
        blank=True,
        help_text="How the current state came about (the latest change's).",
    )
    since = models.DateTimeField(null=True, blank=True, help_text="When the current state began.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["address", "sender"], name="consent_once_per_sender")]
        indexes = [models.Index(fields=["state", "sender"], name="consent_state_sender")]

    def __str__(self):
        # Printed in titles, breadcrumbs, the admin log and the audit trail: never a whole number.
        return mask_numbers_in(f"{self.address} on {self.sender}")


class ConsentChange(models.Model):
    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="changes")
    state = models.CharField(
        max_length=12,
        choices=[(ConsentState.OPTED_IN, "Opted in"), (ConsentState.OPTED_OUT, "Opted out")],
        help_text="What the person's consent became.",
    )
    how = models.CharField(max_length=16, choices=ConsentHow.choices, help_text="How it happened.")
    occurred_at = models.DateTimeField(
        help_text="When it happened: the person's message or Twilio's receipt, or when staff recorded it."
    )
    message_sid = models.CharField(
        max_length=34,
        blank=True,
        help_text="Evidence: the person's message (IM...) or the message Twilio refused to deliver.",
    )
    keyword = models.CharField(max_length=32, blank=True, help_text="The keyword they sent, as matched (e.g. STOP).")
    error_code = models.PositiveIntegerField(
        null=True, blank=True, help_text="Twilio's error code on the refused message (21610, or WhatsApp's)."
    )
    reason = models.TextField(
        blank=True,
        help_text="Staff's reason (required when staff change consent), or the import's source.",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff member who recorded it (empty: the person or Twilio did).",
    )
    staff_name = models.CharField(
        max_length=150, blank=True, help_text="Their username then (kept if the account is removed)."
    )
    recorded_at = models.DateTimeField(auto_now_add=True, help_text="When the console recorded it.")

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            # A webhook applied twice records its message once.
            models.UniqueConstraint(
                fields=["consent", "message_sid", "how"],
                condition=~Q(message_sid=""),
                name="consent_change_once_per_message",
            )
        ]

    def __str__(self):
        return f"{self.get_state_display()} ({self.get_how_display()})"
