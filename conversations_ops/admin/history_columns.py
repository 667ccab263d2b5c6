"""The message list's columns: one described row per message, loaded for the whole page at once.

Display methods get only the row, so the changelist describes its page first
(history_rows.describe_messages: three queries for any page size, numbers masked
for the viewer) and each column reads `message.history`.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from conversations_ops.models import FAILED_RECEIPT_STATUSES
from conversations_ops.selectors.history_rows import describe_messages
from conversations_ops.twilio.errors import explain

EMPTY = "—"
CHANNEL_LABELS = {"whatsapp": "WhatsApp", "sms": "SMS", "chat": "chat"}
STATUS_LABELS = {
    "failed": "failed",
    "undelivered": "undelivered",
    "read": "read",
    "delivered": "delivered",
    "pending": "pending",
}


def status_label(status: str, summary) -> str:
    """The list's delivery word. Pending splits in two, truthfully: Twilio's receipts come later,
    so a message Twilio has handed to the channel (`sent`) is not yet delivered."""
    sent = isinstance(summary, dict) and summary.get("sent") in ("all", "some")
    if status == "pending" and sent:
        return "sent, not delivered yet"
    return STATUS_LABELS.get(status, EMPTY)


def receipt_outcome_html(receipt):
    """The receipt's status; for a failure, Twilio's code in plain words and the next step."""
    if receipt.status not in FAILED_RECEIPT_STATUSES and not receipt.error_code:
        return receipt.get_status_display()
    explanation = explain(receipt.error_code, None)
    return format_html(
        '<strong>{} {}</strong>: {}<br>{}<br><em>Next step:</em> {} <a href="{}" target="_blank">Twilio\'s page</a>',
        receipt.get_status_display(),
        receipt.error_code or "",
        explanation.title,
        explanation.meaning,
        explanation.next_step,
        explanation.link,
    )


class HistoryChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        page = list(self.result_list)  # evaluates (and caches) the page the template will print
        for message, row in zip(page, describe_messages(page, user=request.user), strict=True):
            message.history = row


class HistoryExportChangeList(ChangeList):
    """Only the filtered, searched, ordered queryset: an export neither counts nor loads a page."""

    def get_results(self, request):
        self.result_count, self.full_result_count, self.result_list = None, None, self.queryset.none()
        self.can_show_all, self.multi_page, self.show_admin_actions = False, False, False


def local_time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else EMPTY


def _row(message):
    row = getattr(message, "history", None)
    if row is None:  # a row printed outside the list (nothing else does today): described alone, masked
        row = message.history = describe_messages([message], user=None)[0]
    return row


class HistoryColumnsMixin:
    def get_changelist(self, request, **kwargs):
        return HistoryExportChangeList if getattr(request, "history_export", False) else HistoryChangeList

    @admin.display(description="when", ordering="date_created")
    def when(self, obj):
        if obj.date_created:
            return local_time(obj.date_created)
        return f"{local_time(obj.created_at)} (not on Twilio yet)"

    @admin.display(description="conversation")
    def conversation_link(self, obj):
        url = reverse("admin:conversations_ops_conversation_transcript", args=[obj.conversation_id])
        return format_html('<a href="{}" title="Transcript">{}</a>', url, obj.conversation)

    @admin.display(description="author (role)")
    def author_column(self, obj):
        row = _row(obj)
        console = format_html("<br><em>sent by the console ({})</em>", row.on_behalf) if row.on_behalf else ""
        return format_html("{}<br><small>{}</small>{}", row.author or EMPTY, row.role, console)

    @admin.display(description="channel")
    def channel_column(self, obj):
        return ", ".join(CHANNEL_LABELS[c] for c in _row(obj).channels) or EMPTY

    @admin.display(description="direction")
    def direction_column(self, obj):
        return obj.direction

    @admin.display(description="template")
    def template_column(self, obj):
        row = _row(obj)
        if not row.template_sid:
            return "free-form"
        return row.template_name or format_html("{} <small>(not pulled yet)</small>", row.template_sid)

    @admin.display(description="text")
    def text_column(self, obj):
        row = _row(obj)
        media = f" [{len(row.media)} attachment{'s' if len(row.media) != 1 else ''}]" if row.media else ""
        return (Truncator(row.text).chars(80) + media).strip() or EMPTY

    @admin.display(description="delivery")
    def delivery_column(self, obj):
        row = _row(obj)
        failures = format_html_join(
            "",
            "<div><small>{}: {}{}</small></div>",
            (
                (
                    line.recipient,
                    line.status,
                    f" {line.error_code} ({line.explanation.title})" if line.explanation else "",
                )
                for line in row.receipts
            ),
        )
        return format_html("<strong>{}</strong>{}", status_label(row.status, obj.delivery), failures)
