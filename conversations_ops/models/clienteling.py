"""Clienteling (issue 19): customers owned by an advisor, one long-lived conversation per
customer and sender, and the teams that share a sender.

A team is a model rather than a group per team: one sender's unknown writers are assigned
among that team's available advisors, and a manager sees the customers of the teams they
manage; both questions are one join here. The `Advisors` and `Advisor managers` groups
(migration 0020) only give the permissions.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, When

from conversations_ops import validators as v
from conversations_ops.masking import mask_numbers_in

from .addresses import AddressConfiguration
from .conversations import Conversation


class Assignment(models.TextChoices):
    QUEUE = "queue", "Unassigned queue (a manager assigns)"
    ROUND_ROBIN = "round_robin", "Round-robin among the team's available advisors"


class ClientelingTeam(models.Model):
    name = models.CharField(max_length=100, unique=True, help_text="e.g. Paris boutique personal shoppers.")
    senders = models.ManyToManyField(
        AddressConfiguration,
        blank=True,
        related_name="clienteling_teams",
        help_text="Business addresses this team serves: an unknown person writing to one is routed by this "
        "team's rule.",
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_clienteling_teams",
        help_text="Staff who see and reassign this team's customers.",
    )
    assignment = models.CharField(
        max_length=16,
        choices=Assignment.choices,
        default=Assignment.QUEUE,
        help_text="What happens when someone unknown writes to one of the team's senders.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        # A name is printed in titles, breadcrumbs, links, logs and the admin log: never a whole number.
        return mask_numbers_in(self.name)


class TeamMembership(models.Model):
    team = models.ForeignKey(ClientelingTeam, on_delete=models.CASCADE, related_name="memberships")
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="clienteling_memberships",
        help_text="A staff member of the Advisors group.",
    )
    available = models.BooleanField(
        default=True, help_text="Takes new customers by round-robin (off: on leave, full book)."
    )
    last_assigned_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When round-robin last gave this advisor a customer (the longest-idle is next).",
    )

    class Meta:
        ordering = ["team", "advisor"]
        constraints = [models.UniqueConstraint(fields=["team", "advisor"], name="team_membership_once")]

    def __str__(self):
        return f"{self.advisor} in {self.team}"


class CustomerSource(models.TextChoices):
    STAFF = "staff", "Created by staff"
    INBOUND = "inbound", "Wrote in (unknown number)"
    IMPORT = "import", "Imported"


class Customer(models.Model):
    local_id = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="This console's own id for the customer."
    )
    name = models.CharField(max_length=200, blank=True, help_text="How the advisor knows them.")
    whatsapp_address = models.CharField(
        max_length=64,
        blank=True,
        validators=[v.validate_whatsapp_address],
        help_text="Their WhatsApp: whatsapp:+E.164.",
    )
    sms_address = models.CharField(
        max_length=32, blank=True, validators=[v.validate_e164], help_text="Their phone for SMS: +E.164."
    )
    sender = models.ForeignKey(
        AddressConfiguration,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text="The business address they talk to (WhatsApp or SMS).",
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clienteling_customers",
        help_text="The advisor who owns the relationship; empty: in the unassigned queue.",
    )
    notes = models.TextField(blank=True, help_text="The advisor's notes (sizes, preferences, occasions).")
    tags = models.JSONField(default=list, blank=True, help_text='Labels, e.g. ["vip", "bridal"].')
    source = models.CharField(
        max_length=8, choices=CustomerSource.choices, default=CustomerSource.STAFF, help_text="How they came in."
    )
    routing_problem = models.TextField(
        blank=True, help_text="Why their last message could not reach an advisor (empty when it did)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Activity, kept by clienteling/activity.py as messages are recorded: the inbox orders and shows
    # customers from these alone, never reading the message table per customer.
    last_inbound_at = models.DateTimeField(
        null=True, blank=True, help_text="When the customer last wrote (any of their conversations)."
    )
    last_outbound_at = models.DateTimeField(
        null=True, blank=True, help_text="When the business last wrote to them (advisor, template, system)."
    )
    last_message_at = models.DateTimeField(null=True, blank=True, help_text="When the last message, either way, was.")
    awaiting_reply_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Their unanswered message's time when they wrote last; empty once the business answered.",
    )
    last_message_preview = models.CharField(
        max_length=120, blank=True, help_text="The start of the last message, as the inbox lists it."
    )
    last_message_inbound = models.BooleanField(default=False, help_text="Whether the last message was theirs.")
    advisor_read_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the owning advisor last opened the conversation: their messages after it are unread "
        "(a new owner after reassignment starts with those).",
    )
    unread_count = models.PositiveIntegerField(default=0, help_text="Their messages since the advisor last read.")
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the customer was recorded.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        permissions = [("view_all_customers", "See every customer, not only one's own or one's teams'")]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "whatsapp_address"],
                condition=~Q(whatsapp_address=""),
                name="customer_whatsapp_per_sender",
            ),
            models.UniqueConstraint(
                fields=["sender", "sms_address"], condition=~Q(sms_address=""), name="customer_sms_per_sender"
            ),
        ]
        indexes = [
            models.Index(fields=["advisor", "sender"], name="customer_advisor_idx"),
            # The inbox's order (clienteling/inbox.py): who waits longest, then the newest conversations.
            models.Index(fields=["advisor", "awaiting_reply_since", "-last_message_at"], name="customer_inbox_idx"),
            # The home page's "needs reply" and "window closing" counts across every customer one sees.
            models.Index(fields=["awaiting_reply_since"], name="customer_awaiting_idx"),
            models.Index(fields=["last_inbound_at"], name="customer_last_inbound_idx"),
        ]

    def __str__(self):
        return f"Customer #{self.pk}" if self.pk else "New customer"

    @property
    def address(self) -> str:
        """Their address on the sender's channel: who the conversation's messaging participant is."""
        return self.whatsapp_address if self.sender.address.startswith("whatsapp:") else self.sms_address

    @staticmethod
    def address_expression():
        """`address` above, as SQL (to annotate a queryset of customers: exports, reports)."""
        return Case(When(sender__address__startswith="whatsapp:", then=F("whatsapp_address")), default=F("sms_address"))


class CustomerConversation(models.Model):
    """One of a customer's conversations: the newest open one is current; the closed ones
    (Twilio closed them) stay linked so the customer's history is all of them."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="conversation_links")
    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="customer_link")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.customer} in {self.conversation}"
