from django.contrib import admin, messages
from django.urls import path

from conversations_ops import permissions as rules
from conversations_ops.masking import shown
from conversations_ops.models import Conversation, ConversationState, ConversationWebhook, Participant
from conversations_ops.selectors.senders import owned_senders
from conversations_ops.services import conversation_webhooks, conversations, participants

from .base import ReadOnlyInline
from .consent import consent_line
from .history_views import transcript_link_html
from .masked import MaskedFieldsMixin, MaskedInlineMixin
from .pairings.display import pairing_link_html
from .participant_forms import CHAT_FIELDS, PHONE_FIELDS, ParticipantAddForm, ParticipantForm, with_proxy_choices
from .permissions import may
from .pushes import NoUpdateMixin, PushedMirrorAdmin
from .send_message import send_message_view
from .webhook_display import conversation_events_link


@admin.display(description="Messaging binding address")
def binding_address(participant):
    """The person's number; masked for staff without "view full numbers" (the proxy is our own number)."""
    return shown(participant, participant.messaging_binding_address) or "-"


class ParticipantInline(MaskedInlineMixin, ReadOnlyInline):
    model = Participant
    fields = ("sid", "role", "identity", "binding_address", "messaging_binding_proxy_address", "sync_state")
    binding_address = staticmethod(binding_address)


class ConversationWebhookInline(MaskedInlineMixin, ReadOnlyInline):
    model = ConversationWebhook
    fields = ("sid", "target", "url", "flow_sid", "sync_state")


def _given(data, names):
    return {name: data[name] for name in names if name in data}


@admin.register(Conversation)
class ConversationAdmin(MaskedFieldsMixin, PushedMirrorAdmin):
    list_display = ("__str__", "unique_name", "state", "date_created")
    list_filter = ("state",)
    search_fields = ("sid__exact", "unique_name__startswith")
    # Newest first, in the list and in the participant form's conversation search.
    ordering = ("-pk",)
    # Twilio sets the service; the timers' dates follow from the timers.
    readonly_fields = (
        "date_inactive",
        "date_closed",
        "chat_service_sid",
        "webhook_events",
        "pairing_link",
        "message_history",
    )
    inlines = (ParticipantInline, ConversationWebhookInline)
    # A new conversation needs only a name; Twilio's defaults (active, no timers) suit most.
    add_fieldsets = [
        (None, {"fields": ("friendly_name", "unique_name")}),
        (
            "More options",
            {
                "fields": ("state", "attributes", "timers_inactive", "timers_closed", "messaging_service_sid"),
                "classes": ("collapse",),
            },
        ),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            # The participant form's search: Twilio adds no one to a closed conversation.
            queryset = queryset.exclude(state=ConversationState.CLOSED)
        return queryset, may_have_duplicates

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []  # nobody is in it yet

    @admin.display(description="Webhook events")
    def webhook_events(self, obj):
        return conversation_events_link(obj.sid)

    @admin.display(description="Pairing")
    def pairing_link(self, obj):
        return pairing_link_html(obj)

    @admin.display(description="Message history")
    def message_history(self, obj):
        return transcript_link_html(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_send_message": may(request, rules.SEND_TO_PEOPLE)}
        return super().change_view(request, object_id, form_url, extra_context)

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

    def get_deleted_objects(self, objs, request):
        # Deleting asks Twilio to delete the conversation, which takes its participants and
        # messages with it; the mirror follows. Staff need no delete permission on those
        # (no group has delete_message: history is kept), only on the conversation.
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected


@admin.register(Participant)
class ParticipantAdmin(MaskedFieldsMixin, PushedMirrorAdmin):
    # "__str__" is the identity or the number, masked on rows loaded for those who may not see it.
    list_display = ("__str__", "role", "messaging_binding_type", "messaging_binding_proxy_address", "conversation")
    list_filter = ("role", "messaging_binding_type")
    list_select_related = ("conversation",)
    # The whole number, typed exactly, finds the person even for staff who see it masked.
    search_fields = ("sid__exact", "messaging_binding_address__exact", "conversation__sid__exact")
    search_help_text = (
        "A participant SID (MB...), a conversation SID (CH...) or a whole number, exactly, e.g. whatsapp:+447700900123."
    )
    form = ParticipantForm
    # Found by name or SID (the conversation list's own search), never typed as a raw id.
    autocomplete_fields = ("conversation",)
    show_full_result_count = False
    # The channel follows from the address; read receipts come from Twilio.
    readonly_fields = ("messaging_binding_type", "last_read_message_index", "last_read_timestamp")
    create_only_fields = participants.CREATE_ONLY_FIELDS
    # Twilio's words may quote the number too.
    masked_fields = {"messaging_binding_address": "binding_address", "last_sync_error": "last_sync_error_shown"}
    binding_address = staticmethod(binding_address)
    # The channel first; then only its fields (participant_channel.js hides the other block).
    add_fieldsets = [
        (None, {"fields": ("conversation", "channel", "role")}),
        ("SMS or WhatsApp", {"fields": PHONE_FIELDS, "classes": ("channel-phone",)}),
        ("Chat", {"fields": CHAT_FIELDS, "classes": ("channel-chat",)}),
        ("More options", {"fields": ("attributes", "role_sid"), "classes": ("collapse",)}),
    ]

    class Media:
        js = ("conversations_ops/participant_channel.js",)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Read the account's senders before the admin opens its transaction (an HTTP read must
        # not hold the database's write lock), once per request, for the add form's proxy.
        if object_id is None and self.has_add_permission(request) and not hasattr(request, "owned_senders"):
            request.owned_senders = owned_senders()
            if request.owned_senders.failure is not None and request.method == "GET":
                self.message_user(
                    request,
                    f"The account's senders could not be read from Twilio: {request.owned_senders.failure} "
                    "You can still type our number below.",
                    messages.WARNING,
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change, **kwargs)
        form = super().get_form(request, obj, change, form=ParticipantAddForm, **kwargs)
        owned = getattr(request, "owned_senders", None)
        return form if owned is None else with_proxy_choices(form, owned)

    @admin.display(description="Last sync error")
    def last_sync_error_shown(self, obj):
        return shown(obj, obj.last_sync_error)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "conversation", "consent") if obj is not None else fields

    @admin.display(description="Consent")
    def consent(self, obj):
        return consent_line(obj.messaging_binding_address, obj.messaging_binding_proxy_address)

    def create_row(self, request, data):
        return participants.participant_add(
            conversation=data["conversation"],
            address=data.get("messaging_binding_address", ""),
            proxy_address=data.get("messaging_binding_proxy_address", ""),
            identity=data.get("identity", ""),
            projected_address=data.get("messaging_binding_projected_address", ""),
            user=request.user,
            **_given(data, ("attributes", "role", "role_sid")),
        )

    def update_row(self, request, row, data):
        return participants.participant_update(participant=row, data=data, user=request.user)

    def delete_row(self, request, row):
        return participants.participant_remove(participant=row, user=request.user)


@admin.register(ConversationWebhook)
class ConversationWebhookAdmin(MaskedFieldsMixin, NoUpdateMixin, PushedMirrorAdmin):
    list_display = ("__str__", "target", "url", "conversation")
    list_filter = ("target",)
    list_select_related = ("conversation",)
    search_fields = ("sid__exact", "conversation__sid__exact")
    autocomplete_fields = ("conversation",)  # searched by name or SID, as on the participant form
    actions = ("push_now", "retry_failed")  # Twilio's scoped webhooks are not pulled

    def create_row(self, request, data):
        fields = ("target", "url", "method", "filters", "triggers", "flow_sid", "replay_after")
        return conversation_webhooks.conversation_webhook_add(
            conversation=data["conversation"], user=request.user, **_given(data, fields)
        )

    def delete_row(self, request, row):
        return conversation_webhooks.conversation_webhook_remove(conversation_webhook=row, user=request.user)
