"""Account-level resources: addresses, webhook configuration, Content, phone numbers."""

from django.db import models


class SimAddressConfiguration(models.Model):
    sid = models.CharField(max_length=34, unique=True)
    type = models.CharField(max_length=16)
    address = models.CharField(max_length=256, unique=True)
    friendly_name = models.CharField(max_length=256, null=True)
    # Twilio's `auto_creation` object as it answers it (method upper-case).
    auto_creation = models.JSONField(default=dict)
    address_country = models.CharField(max_length=8, null=True)
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()


class SimAccountWebhooks(models.Model):
    """/v1/Configuration/Webhooks: a single row (pk=1)."""

    method = models.CharField(max_length=8, default="POST")
    filters = models.JSONField(default=list)
    pre_webhook_url = models.CharField(max_length=512, null=True)
    post_webhook_url = models.CharField(max_length=512, null=True)
    target = models.CharField(max_length=16, default="webhook")


class SimContent(models.Model):
    sid = models.CharField(max_length=34, unique=True)
    friendly_name = models.CharField(max_length=256, null=True)
    language = models.CharField(max_length=16)
    variables = models.JSONField(default=dict)
    types = models.JSONField(default=dict)
    # WhatsApp approval: {name, category, content_type, status, rejection_reason,
    # allow_category_change}; empty until submitted.
    approval = models.JSONField(default=dict)
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()


class SimNumber(models.Model):
    """A business number's Programmable Messaging webhook (sandbox-style inbound)."""

    address = models.CharField(max_length=256, unique=True)
    sms_url = models.CharField(max_length=512, blank=True)
    sms_method = models.CharField(max_length=8, default="POST")
    status_callback = models.CharField(max_length=512, blank=True)


class SimPhoneNumber(models.Model):
    """A phone number the account owns: Api v2010 IncomingPhoneNumbers.

    An SMS address configuration must name one of these (Twilio: "the unique address must
    ... belong to your Twilio Account"; simulator/api/owned.py)."""

    sid = models.CharField(max_length=34, unique=True)
    phone_number = models.CharField(max_length=32, unique=True)
    friendly_name = models.CharField(max_length=64)
    sms_url = models.CharField(max_length=512, blank=True)
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()


class SimWhatsAppSender(models.Model):
    """A WhatsApp sender registered on the account: Messaging v2 Channels Senders.

    A WhatsApp address configuration must name one of these. Its `status` is Twilio's
    (`ONLINE`, `OFFLINE`, `CREATING`, ...); only an ONLINE sender can be configured."""

    sid = models.CharField(max_length=34, unique=True)
    sender_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=32, default="ONLINE")
    profile_name = models.CharField(max_length=128, blank=True)
    date_created = models.DateTimeField()


class SimService(models.Model):
    """A Conversation Service (IS...). The account's default one is made on first use
    (engine/services.py); others through POST /v1/Services or the control API."""

    sid = models.CharField(max_length=34, unique=True)
    friendly_name = models.CharField(max_length=256)
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()


class SimConfiguration(models.Model):
    """/v1/Configuration: the account's Conversations defaults, a single row (pk=1)."""

    default_chat_service_sid = models.CharField(max_length=34)
    default_messaging_service_sid = models.CharField(max_length=34)
    # ISO-8601 durations applied to conversations created without their own timers.
    default_inactive_timer = models.CharField(max_length=32, null=True)
    default_closed_timer = models.CharField(max_length=32, null=True)
