from django.contrib import admin

from conversations_ops.models import DeliveryReceipt, Message
from conversations_ops.services.messages import message_send

from .base import ReadOnlyAdminMixin, ReadOnlyInline, TwilioMirrorAdmin
from .pushes import NoUpdateMixin, PushedMirrorAdmin


class DeliveryReceiptInline(ReadOnlyInline):
    model = DeliveryReceipt
    fields = ("sid", "status", "error_code", "participant_sid", "channel_message_sid", "date_updated")


@admin.register(Message)
class MessageAdmin(NoUpdateMixin, PushedMirrorAdmin):
    """Staff send messages here; history is never edited or deleted (auditors rely on it)."""

    list_display = ("__str__", "conversation", "direction", "author", "content_sid", "date_created")
    list_filter = ("direction",)
    list_select_related = ("conversation",)
    search_fields = ("sid__exact", "conversation__sid__exact", "participant_sid__exact")
    raw_id_fields = ("conversation",)
    readonly_fields = ("index", "media", "delivery", "direction", "participant_sid")
    inlines = (DeliveryReceiptInline,)
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False

    def create_row(self, request, data):
        fields = ("body", "media_sid", "content_sid", "content_variables", "author", "attributes", "subject")
        return message_send(
            conversation=data["conversation"], user=request.user, **{f: data[f] for f in fields if f in data}
        )


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(ReadOnlyAdminMixin, TwilioMirrorAdmin):
    list_display = ("__str__", "message", "status", "error_code", "participant_sid")
    list_filter = ("status",)
    list_select_related = ("message",)
    search_fields = ("sid__exact", "message__sid__exact", "channel_message_sid__exact")
    show_full_result_count = False
