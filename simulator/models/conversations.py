"""Conversations and what lives inside them."""

from django.db import models


class SimConversation(models.Model):
    sid = models.CharField(max_length=34, unique=True)
    unique_name = models.CharField(max_length=256, null=True, unique=True)
    friendly_name = models.CharField(max_length=256, null=True)
    attributes = models.TextField(default="{}")
    state = models.CharField(max_length=16, default="active")
    # ISO-8601 durations as given; the dates they lead to are derived from
    # `last_activity_at` on the simulator clock.
    timers_inactive = models.CharField(max_length=32, null=True)
    timers_closed = models.CharField(max_length=32, null=True)
    chat_service_sid = models.CharField(max_length=34)
    messaging_service_sid = models.CharField(max_length=34)
    last_activity_at = models.DateTimeField()
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()


class SimParticipant(models.Model):
    sid = models.CharField(max_length=34, unique=True)
    conversation = models.ForeignKey(SimConversation, on_delete=models.CASCADE, related_name="participants")
    identity = models.CharField(max_length=256, null=True)
    address = models.CharField(max_length=256, null=True, db_index=True)
    proxy_address = models.CharField(max_length=256, null=True)
    projected_address = models.CharField(max_length=256, null=True)
    channel = models.CharField(max_length=16)  # sms | whatsapp | chat
    attributes = models.TextField(default="{}")
    role_sid = models.CharField(max_length=34, null=True)
    last_read_message_index = models.IntegerField(null=True)
    last_read_timestamp = models.CharField(max_length=32, null=True)
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()


class SimMessage(models.Model):
    sid = models.CharField(max_length=34, unique=True)
    conversation = models.ForeignKey(SimConversation, on_delete=models.CASCADE, related_name="messages")
    index = models.IntegerField()
    author = models.CharField(max_length=256)
    body = models.TextField(null=True)
    media = models.JSONField(null=True)
    attributes = models.TextField(default="{}")
    participant_sid = models.CharField(max_length=34, null=True)
    content_sid = models.CharField(max_length=34, null=True)
    content_variables = models.TextField(null=True)
    subject = models.CharField(max_length=256, null=True)
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "index"], name="sim_message_index")]


class SimReceipt(models.Model):
    sid = models.CharField(max_length=34, unique=True)
    message = models.ForeignKey(SimMessage, on_delete=models.CASCADE, related_name="receipts")
    participant = models.ForeignKey(SimParticipant, on_delete=models.CASCADE, related_name="receipts")
    channel_message_sid = models.CharField(max_length=34)
    status = models.CharField(max_length=16)  # sent | delivered | read | failed | undelivered
    error_code = models.IntegerField(null=True)
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()


class SimReceiptStep(models.Model):
    """A receipt status change still to come (delivered, read, failed, undelivered), due at
    `due_at` on the simulator clock. Whoever deletes the row applies it: one process, once."""

    receipt = models.ForeignKey(SimReceipt, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=16)
    error_code = models.IntegerField(null=True)
    due_at = models.DateTimeField(db_index=True)


class SimScopedWebhook(models.Model):
    sid = models.CharField(max_length=34, unique=True)
    conversation = models.ForeignKey(SimConversation, on_delete=models.CASCADE, related_name="webhooks")
    target = models.CharField(max_length=16)  # webhook | trigger | studio
    url = models.CharField(max_length=512, null=True)
    method = models.CharField(max_length=8, null=True)
    filters = models.JSONField(default=list)
    triggers = models.JSONField(default=list)
    flow_sid = models.CharField(max_length=34, null=True)
    replay_after = models.IntegerField(null=True)
    date_created = models.DateTimeField()
    date_updated = models.DateTimeField()
