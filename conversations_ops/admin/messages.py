from django.contrib import admin

from conversations_ops.models import DeliveryReceipt, Message

from .base import ReadOnlyAdminMixin, ReadOnlyInline, TwilioMirrorAdmin


class DeliveryReceiptInline(ReadOnlyInline):
    model = DeliveryReceipt
    fields = ("sid", "status", "error_code", "participant_sid", "channel_message_sid", "date_updated")


@admin.register(Message)
class MessageAdmin(TwilioMirrorAdmin):
    list_display = ("__str__", "conversation", "direction", "author", "content_sid", "date_created")
    list_filter = ("direction",)
    list_select_related = ("conversation",)
    search_fields = ("sid__exact", "conversation__sid__exact", "participant_sid__exact")
    raw_id_fields = ("conversation",)
    readonly_fields = ("index", "media", "delivery")
    inlines = (DeliveryReceiptInline,)
    show_full_result_count = False


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(ReadOnlyAdminMixin, TwilioMirrorAdmin):
    list_display = ("__str__", "message", "status", "error_code", "participant_sid")
    list_filter = ("status",)
    list_select_related = ("message",)
    search_fields = ("sid__exact", "message__sid__exact", "channel_message_sid__exact")
    show_full_result_count = False
