from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from conversations_ops.models import DeliveryReceipt, Message, Participant
from conversations_ops.services.messages import message_resend, message_send
from conversations_ops.services.sync_errors import explain

from .base import ReadOnlyAdminMixin, ReadOnlyInline, TwilioMirrorAdmin
from .pushes import NoUpdateMixin, PushedMirrorAdmin

FAILED_STATUSES = ("failed", "undelivered")


def receipt_outcome_html(receipt: DeliveryReceipt):
    """The receipt's status; for a failure, Twilio's code in plain words and the next step."""
    if receipt.status not in FAILED_STATUSES and not receipt.error_code:
        return receipt.get_status_display()
    explanation = explain(receipt.error_code, None)
    return format_html(
        '<strong>{} {}</strong>: {}<br>{}<br><em>Next step:</em> {} <a href="{}" target="_blank">Twilio\'s page</a>',
        receipt.get_status_display(), receipt.error_code or "", explanation.title, explanation.meaning,
        explanation.next_step, explanation.link,
    )


class DeliveryReceiptInline(ReadOnlyInline):
    model = DeliveryReceipt
    fields = ("recipient", "status", "outcome", "date_updated", "sid", "channel_message_sid")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("message")

    @admin.display(description="Recipient")
    def recipient(self, obj):
        participant = Participant.objects.filter(sid=obj.participant_sid).first() if obj.participant_sid else None
        return str(participant) if participant else obj.participant_sid or "—"

    @admin.display(description="Outcome")
    def outcome(self, obj):
        return receipt_outcome_html(obj)


class DeliveryOutcomeFilter(admin.SimpleListFilter):
    """"Failed messages": a recipient's receipt failed, or Twilio refused the send itself."""

    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return (("failed", "Failed messages"), ("delivered", "Delivered to everyone"))

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(Q(receipts__status__in=FAILED_STATUSES) | Q(sync_state="failed")).distinct()
        if self.value() == "delivered":
            return queryset.filter(delivery__failed="none", delivery__undelivered="none")
        return queryset


@admin.register(Message)
class MessageAdmin(NoUpdateMixin, PushedMirrorAdmin):
    """Staff send messages here; history is never edited or deleted (auditors rely on it)."""

    list_display = ("__str__", "conversation", "direction", "author", "content_sid", "delivery_outcome",
                    "date_created")
    list_filter = ("direction", DeliveryOutcomeFilter)
    list_select_related = ("conversation",)
    search_fields = ("sid__exact", "conversation__sid__exact", "participant_sid__exact")
    raw_id_fields = ("conversation",)
    readonly_fields = ("index", "media", "delivery", "delivery_outcome", "direction", "participant_sid")
    inlines = (DeliveryReceiptInline,)
    show_full_result_count = False
    actions = (*PushedMirrorAdmin.actions, "resend", "send_template_instead")

    def has_delete_permission(self, request, obj=None):
        return False

    def create_row(self, request, data):
        fields = ("body", "media_sid", "content_sid", "content_variables", "author", "attributes", "subject")
        return message_send(
            conversation=data["conversation"], user=request.user, guard=True,
            **{f: data[f] for f in fields if f in data},
        )

    @admin.display(description="Delivery")
    def delivery_outcome(self, obj):
        failed = [r for r in obj.receipts.all() if r.status in FAILED_STATUSES]
        if not failed:
            summary = obj.delivery or {}
            return f"{summary.get('total', 0)} recipient(s), delivered: {summary.get('delivered', '—')}" \
                if summary else "—"
        return format_html_join(
            "", "<div>{}: {}</div>", ((r.participant_sid or "recipient", receipt_outcome_html(r)) for r in failed)
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("receipts")

    @admin.action(description="Resend (a new message with the same content)", permissions=["add"])
    def resend(self, request, queryset):
        for message in queryset.order_by("pk"):
            try:
                new = message_resend(message=message, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{message}: not resent. {' '.join(exc.messages)}", messages.ERROR)
                continue
            self.message_user(request, f"{message}: resent as a new message (#{new.pk}).", messages.SUCCESS)

    @admin.action(description="Send a template instead", permissions=["add"])
    def send_template_instead(self, request, queryset):
        conversation_ids = set(queryset.values_list("conversation_id", flat=True))
        if len(conversation_ids) != 1:
            self.message_user(request, "Pick messages of one conversation: the template goes to that conversation.",
                              messages.ERROR)
            return None
        url = reverse("admin:conversations_ops_conversation_send", args=[conversation_ids.pop()])
        return HttpResponseRedirect(f"{url}?mode=template")


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(ReadOnlyAdminMixin, TwilioMirrorAdmin):
    list_display = ("__str__", "message", "status", "error_code", "outcome", "participant_sid")
    list_filter = ("status",)
    list_select_related = ("message",)
    search_fields = ("sid__exact", "message__sid__exact", "channel_message_sid__exact")
    show_full_result_count = False

    @admin.display(description="What it means")
    def outcome(self, obj):
        return receipt_outcome_html(obj)
