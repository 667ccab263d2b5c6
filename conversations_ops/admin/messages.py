"""Messages: staff send them here, auditors read the history here (list, transcript, exports).

The list is built for a table of millions of rows: every filter is one indexed
condition or per-row probe (selectors/history.py), search is exact, the count is
capped (paginators.py) and a page costs the same few queries whatever its size.
History is never edited or deleted: auditors rely on it.
"""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html_join

from conversations_ops.masking import for_viewer, shown
from conversations_ops.models import FAILED_RECEIPT_STATUSES, DeliveryReceipt, Message, Participant
from conversations_ops.selectors.history import message_search_q
from conversations_ops.services.messages import message_resend, message_send

from . import history_filters as filters
from .base import ReadOnlyAdminMixin, ReadOnlyInline, TwilioMirrorAdmin
from .history_columns import HistoryColumnsMixin, receipt_outcome_html
from .history_views import export_view, may_export, transcript_view
from .masked import MaskedFieldsMixin, MaskedInlineMixin
from .paginators import CappedCountAdminMixin
from .permissions import SendPermissionMixin
from .pushes import NoUpdateMixin, PushedMirrorAdmin


class DeliveryReceiptInline(MaskedInlineMixin, ReadOnlyInline):
    model = DeliveryReceipt
    fields = ("recipient", "status", "outcome", "date_updated", "sid", "channel_message_sid")

    def get_queryset(self, request):
        return for_viewer(super().get_queryset(request).select_related("message"), request.user)

    @admin.display(description="Recipient")
    def recipient(self, obj):
        participant = Participant.objects.filter(sid=obj.participant_sid).first() if obj.participant_sid else None
        if participant is None:
            return obj.participant_sid or "—"
        who = shown(obj, participant.messaging_binding_address) or participant.identity
        return f"{participant.role or 'participant'} {who}"

    @admin.display(description="Outcome")
    def outcome(self, obj):
        return receipt_outcome_html(obj)


@admin.register(Message)
class MessageAdmin(
    HistoryColumnsMixin, CappedCountAdminMixin, MaskedFieldsMixin, SendPermissionMixin, NoUpdateMixin, PushedMirrorAdmin
):
    list_display = (
        "when",
        "conversation_link",
        "author_column",
        "channel_column",
        "direction_column",
        "template_column",
        "text_column",
        "delivery_column",
    )
    list_display_links = ("when",)
    list_filter = (
        filters.ConversationFilter,
        filters.AuthorRoleFilter,
        filters.ChannelFilter,
        "direction",
        filters.TemplateFilter,
        filters.DeliveryStatusFilter,
        filters.DateRangeFilter,
    )
    list_select_related = ("conversation",)
    # A rare filter (a status few messages have) is found by walking the date index: counting
    # 5 pages ahead, not 11, keeps that walk short.
    count_ahead_pages = 4
    # Sorting another column would sort the whole table; "when" walks the date_created index.
    sortable_by = ("when",)
    ordering = ("-date_created", "-pk")
    search_fields = ("sid__exact",)  # shows the box; get_search_results decides what a term means
    search_help_text = (
        "Exact only: a message (IM...), conversation (CH...), participant (MB...), template "
        "(HX...) or receipt (DY...) SID, a phone number (+14155550100 or whatsapp:+14155550100), "
        "a conversation's unique name or a chat identity. Never a part of a text."
    )
    raw_id_fields = ("conversation",)
    readonly_fields = ("index", "media", "delivery", "delivery_outcome", "direction", "participant_sid")
    masked_fields = {"author": "author_shown", "body": "body_shown", "last_sync_error": "last_sync_error_shown"}
    inlines = (DeliveryReceiptInline,)
    actions = (*PushedMirrorAdmin.actions, "resend", "send_template_instead")

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, *args):
        # The add form sends the message: it needs send_message, like Resend.
        return super().has_add_permission(request, *args) and self.has_send_permission(request)

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, self))

        return [
            path(
                "transcript/<int:conversation_id>/",
                view(transcript_view),
                name="conversations_ops_conversation_transcript",
            ),
            path("export/<str:fmt>/", view(export_view), name="conversations_ops_message_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_export_history": may_export(request)}
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        condition = message_search_q(search_term)
        return (queryset if condition is None else queryset.filter(condition)), False

    def create_row(self, request, data):
        fields = ("body", "media_sid", "content_sid", "content_variables", "author", "attributes", "subject")
        return message_send(
            conversation=data["conversation"],
            user=request.user,
            guard=True,
            **{f: data[f] for f in fields if f in data},
        )

    @admin.display(description="author")
    def author_shown(self, obj):
        return shown(obj, obj.author)

    @admin.display(description="body")
    def body_shown(self, obj):
        return shown(obj, obj.body)

    @admin.display(description="Last sync error")
    def last_sync_error_shown(self, obj):
        return shown(obj, obj.last_sync_error)

    @admin.display(description="Delivery")
    def delivery_outcome(self, obj):
        failed = [r for r in obj.receipts.all() if r.status in FAILED_RECEIPT_STATUSES]
        if not failed:
            summary = obj.delivery or {}
            return (
                f"{summary.get('total', 0)} recipient(s), delivered: {summary.get('delivered', '—')}"
                if summary
                else "—"
            )
        return format_html_join(
            "", "<div>{}: {}</div>", ((r.participant_sid or "recipient", receipt_outcome_html(r)) for r in failed)
        )

    @admin.action(description="Resend (a new message with the same content)", permissions=["send"])
    def resend(self, request, queryset):
        for message in queryset.order_by("pk"):
            try:
                new = message_resend(message=message, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{message}: not resent. {' '.join(exc.messages)}", messages.ERROR)
                continue
            self.message_user(request, f"{message}: resent as a new message (#{new.pk}).", messages.SUCCESS)

    @admin.action(description="Send a template instead", permissions=["send"])
    def send_template_instead(self, request, queryset):
        conversation_ids = set(queryset.order_by().values_list("conversation_id", flat=True).distinct()[:2])
        if len(conversation_ids) != 1:
            self.message_user(
                request, "Pick messages of one conversation: the template goes to that conversation.", messages.ERROR
            )
            return None
        url = reverse("admin:conversations_ops_conversation_send", args=[conversation_ids.pop()])
        return HttpResponseRedirect(f"{url}?mode=template")


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(CappedCountAdminMixin, MaskedFieldsMixin, ReadOnlyAdminMixin, TwilioMirrorAdmin):
    list_display = ("__str__", "message", "status", "error_code", "outcome", "participant_sid")
    list_filter = ("status",)
    list_select_related = ("message",)
    search_fields = ("sid__exact", "message__sid__exact", "channel_message_sid__exact")

    @admin.display(description="What it means")
    def outcome(self, obj):
        return receipt_outcome_html(obj)
