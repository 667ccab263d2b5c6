from django.contrib import admin

from conversations_ops.models import WebhookEvent

from .base import ReadOnlyAdminMixin


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "received_at", "source", "event_type", "processing_state", "signature_valid",
        "conversation_sid", "attempts",
    )
    list_filter = ("processing_state", "source", "signature_valid")
    search_fields = (
        "dedup_key__exact", "event_type__exact", "conversation_sid__exact", "message_sid__exact",
        "participant_sid__exact",
    )
    # No foreign keys to join; an explicit False stops the admin guessing.
    list_select_related = False
    show_full_result_count = False
