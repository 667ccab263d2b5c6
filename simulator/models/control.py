"""The simulator's own bookkeeping: clock, handsets, webhook log, faults."""

from django.db import models


class SimClock(models.Model):
    """A single row (pk=1): how far the simulated clock is ahead of real time."""

    offset_seconds = models.FloatField(default=0.0)


class SimHandsetEntry(models.Model):
    """One message on a person's phone, as that phone saw it."""

    RECEIVED, SENT = "received", "sent"

    address = models.CharField(max_length=256, db_index=True)  # the person: whatsapp:+1... or +1...
    direction = models.CharField(max_length=8)  # received (from the business) | sent (by the person)
    counterpart = models.CharField(max_length=256)  # the business address
    body = models.TextField(blank=True)
    content_sid = models.CharField(max_length=34, blank=True)
    media = models.JSONField(null=True)
    status = models.CharField(max_length=16)  # delivered | failed | sent | undelivered
    error_code = models.IntegerField(null=True)
    conversation_sid = models.CharField(max_length=34, blank=True)
    message_sid = models.CharField(max_length=34, blank=True)
    channel_message_sid = models.CharField(max_length=34, blank=True)
    date = models.DateTimeField()  # simulator clock
    # Twilio's own answer to an SMS keyword (STOP, START, HELP: engine/messaging_rules.py), sent by
    # Messaging from the business number: no conversation message, nothing the application sent.
    auto_reply = models.BooleanField(default=False)


class SimWebhookDelivery(models.Model):
    """Every webhook the simulator sent (or tried to), newest last."""

    kind = models.CharField(max_length=32)  # account | scoped | auto_creation | messaging | status
    event_type = models.CharField(max_length=64)
    url = models.CharField(max_length=512)
    method = models.CharField(max_length=8)
    params = models.JSONField()  # list of [key, value] pairs as sent
    signature = models.CharField(max_length=64, blank=True)
    status_code = models.IntegerField(null=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.IntegerField(null=True)
    conversation_sid = models.CharField(max_length=34, blank=True, db_index=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True)
    # Sent with every attempt of this webhook: a duplicate carries its original's token.
    idempotency_token = models.CharField(max_length=64, blank=True)
    # A second delivery of the same webhook (the control API's duplicates switch).
    duplicate_of = models.ForeignKey("self", null=True, on_delete=models.CASCADE, related_name="duplicates")


class SimFaults(models.Model):
    """A single row (pk=1): the fault-injection settings the REST API obeys."""

    config = models.JSONField(default=dict)


class SimDeliverySettings(models.Model):
    """A single row (pk=1): how delivery and webhooks behave, set by the control API.

    Empty fields fall back to the Django settings (SIMULATOR_DELIVERED_AFTER_SECONDS, ...),
    so a reset goes back to what the process was started with.
    """

    config = models.JSONField(default=dict)


class SimHandsetDelivery(models.Model):
    """What one phone does with what it is sent: delivered (and read, WhatsApp), or failed or
    undelivered with a chosen code, or left unread. No row: delivered and read as configured."""

    address = models.CharField(max_length=256, unique=True)
    outcome = models.CharField(max_length=16, default="delivered")  # delivered | failed | undelivered
    error_code = models.IntegerField(null=True)
    reads = models.BooleanField(default=True)
