from django.contrib import admin
from django.urls import path

from conversations_ops.models import Conversation, ConversationWebhook, Participant
from conversations_ops.services import conversation_webhooks, conversations, participants

from .base import ReadOnlyInline
from .pairing_display import pairing_link_html
from .send_message import send_message_view
from .pushes import NoUpdateMixin, PushedMirrorAdmin
from .webhook_display import conversation_events_link


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = (
        "sid", "role", "identity", "messaging_binding_address", "messaging_binding_proxy_address", "sync_state"
    )


class ConversationWebhookInline(ReadOnlyInline):
    model = ConversationWebhook
    fields = ("sid", "target", "url", "flow_sid", "sync_state")


def _given(data, names):
    return {name: data[name] for name in names if name in data}


@admin.register(Conversation)
class ConversationAdmin(PushedMirrorAdmin):
    list_display = ("__str__", "unique_name", "state", "date_created")
    list_filter = ("state",)
    search_fields = ("sid__exact", "unique_name__startswith")
    # Twilio sets the service; the timers' dates follow from the timers.
    readonly_fields = ("date_inactive", "date_closed", "chat_service_sid", "webhook_events", "pairing_link")
    inlines = (ParticipantInline, ConversationWebhookInline)

    @admin.display(description="Webhook events")
    def webhook_events(self, obj):
        return conversation_events_link(obj.sid)

    @admin.display(description="Pairing")
    def pairing_link(self, obj):
        return pairing_link_html(obj)

    def get_urls(self):
        send = self.admin_site.admin_view(lambda request, object_id: send_message_view(self, request, object_id))
        opts = self.model._meta
        return [
            path("<path:object_id>/send/", send, name=f"{opts.app_label}_{opts.model_name}_send"),
            *super().get_urls(),
        ]

    def create_row(self, request, data):
        fields = _given(data, conversations.UPDATABLE_FIELDS)
        return conversations.conversation_create(user=request.user, **fields)

    def update_row(self, request, row, data):
        return conversations.conversation_update(conversation=row, data=data, user=request.user)

    def delete_row(self, request, row):
        return conversations.conversation_delete(conversation=row, user=request.user)


@admin.register(Participant)
class ParticipantAdmin(PushedMirrorAdmin):
    list_display = (
        "__str__", "role", "messaging_binding_type", "messaging_binding_proxy_address", "conversation"
    )
    list_filter = ("role", "messaging_binding_type")
    list_select_related = ("conversation",)
    search_fields = ("sid__exact", "messaging_binding_address__exact", "conversation__sid__exact")
    raw_id_fields = ("conversation",)
    show_full_result_count = False
    # The channel follows from the address; read receipts come from Twilio.
    readonly_fields = ("messaging_binding_type", "last_read_message_index", "last_read_timestamp")
    create_only_fields = participants.CREATE_ONLY_FIELDS

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "conversation") if obj is not None else fields

    def create_row(self, request, data):
        return participants.participant_add(
            conversation=data["conversation"], address=data.get("messaging_binding_address", ""),
            proxy_address=data.get("messaging_binding_proxy_address", ""), identity=data.get("identity", ""),
            projected_address=data.get("messaging_binding_projected_address", ""),
            user=request.user, **_given(data, ("attributes", "role", "role_sid")),
        )

    def update_row(self, request, row, data):
        return participants.participant_update(participant=row, data=data, user=request.user)

    def delete_row(self, request, row):
        return participants.participant_remove(participant=row, user=request.user)


@admin.register(ConversationWebhook)
class ConversationWebhookAdmin(NoUpdateMixin, PushedMirrorAdmin):
    list_display = ("__str__", "target", "url", "conversation")
    list_filter = ("target",)
    list_select_related = ("conversation",)
    search_fields = ("sid__exact", "conversation__sid__exact")
    raw_id_fields = ("conversation",)
    actions = ("push_now", "retry_failed")  # Twilio's scoped webhooks are not pulled

    def create_row(self, request, data):
        fields = ("target", "url", "method", "filters", "triggers", "flow_sid", "replay_after")
        return conversation_webhooks.conversation_webhook_add(
            conversation=data["conversation"], user=request.user, **_given(data, fields)
        )

    def delete_row(self, request, row):
        return conversation_webhooks.conversation_webhook_remove(conversation_webhook=row, user=request.user)
