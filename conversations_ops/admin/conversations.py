from django.contrib import admin

from conversations_ops.models import Conversation, ConversationWebhook, Participant

from .base import ReadOnlyInline, TwilioMirrorAdmin


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = (
        "sid", "role", "identity", "messaging_binding_address", "messaging_binding_proxy_address", "sync_state"
    )


class ConversationWebhookInline(ReadOnlyInline):
    model = ConversationWebhook
    fields = ("sid", "target", "url", "flow_sid", "sync_state")


@admin.register(Conversation)
class ConversationAdmin(TwilioMirrorAdmin):
    list_display = ("__str__", "unique_name", "state", "date_created")
    list_filter = ("state",)
    search_fields = ("sid__exact", "unique_name__startswith")
    readonly_fields = ("date_inactive", "date_closed")
    inlines = (ParticipantInline, ConversationWebhookInline)


@admin.register(Participant)
class ParticipantAdmin(TwilioMirrorAdmin):
    list_display = (
        "__str__", "role", "messaging_binding_type", "messaging_binding_proxy_address", "conversation"
    )
    list_filter = ("role", "messaging_binding_type")
    list_select_related = ("conversation",)
    search_fields = ("sid__exact", "messaging_binding_address__exact", "conversation__sid__exact")
    raw_id_fields = ("conversation",)
    show_full_result_count = False


@admin.register(ConversationWebhook)
class ConversationWebhookAdmin(TwilioMirrorAdmin):
    list_display = ("__str__", "target", "url", "conversation")
    list_filter = ("target",)
    list_select_related = ("conversation",)
    search_fields = ("sid__exact", "conversation__sid__exact")
    raw_id_fields = ("conversation",)
