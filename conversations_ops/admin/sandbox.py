"""WhatsApp sandbox senders: which numbers' inbound messages start a conversation (the
"Configuring WhatsApp Sandbox" flow of Twilio's "Manage Conversations WhatsApp Addresses";
docs/twilio-reference.md).

A local setting, not a Twilio resource: saving it calls nothing. The sandbox's
own "When a message comes in" URL is set in Twilio's console (README).
"""

from django.contrib import admin

from conversations_ops.models import SandboxSender

from .masked import MaskedFieldsMixin


@admin.register(SandboxSender)
class SandboxSenderAdmin(MaskedFieldsMixin, admin.ModelAdmin):
    list_display = ("address", "friendly_name", "studio_flow_sid", "enabled")
    list_filter = ("enabled",)
    search_fields = ("address__startswith", "friendly_name__icontains")
    fields = ("address", "friendly_name", "studio_flow_sid", "enabled", "created_at")
    readonly_fields = ("created_at",)
