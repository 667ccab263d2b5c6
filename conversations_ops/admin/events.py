"""The webhook inbox as staff see it: every event Twilio sent, what the console did
with it, and the requests it refused. Read-only; the one write is Reprocess.

The list stays fast on a large inbox: filters are fixed choices (no DISTINCT
over the table), search is an exact or prefix lookup on one indexed SID
column chosen by the SID's prefix, and the full count is not computed.

Payloads quote people's numbers (From, To, Author, MessagingBinding.Address...):
for staff without "view full numbers" every number in the payload, the headers,
the outcome and the error is masked.
"""

from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from conversations_ops import permissions as rules
from conversations_ops.masking import is_masked, shown
from conversations_ops.models import WebhookEvent, WebhookRejection
from conversations_ops.webhooks.parsing import SID_SHAPE
from conversations_ops.webhooks.reprocess import webhook_events_reprocess

from . import webhook_display
from .base import ReadOnlyAdminMixin
from .event_filters import ConversationFilter, EventTypeFilter, ReceivedFilter, SignatureFilter
from .masked import MaskedFieldsMixin
from .paginators import CappedCountAdminMixin
from .permissions import may

# Which indexed column a SID is searched in, by its two-letter prefix.
SID_COLUMNS = {
    "CH": "conversation_sid",
    "MB": "participant_sid",
    "IM": "message_sid",
    "SM": "message_sid",
    "MM": "message_sid",
    "WA": "message_sid",
}
MIN_PREFIX = 6  # shorter prefixes would match most of the inbox
SHORT_SID = 12  # how much of a SID the list shows


@admin.register(WebhookEvent)
class WebhookEventAdmin(CappedCountAdminMixin, MaskedFieldsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "received_at",
        "event_type",
        "source_name",
        "processing_state",
        "signature_short",
        "sids",
        "outcome_summary",
    )
    list_filter = (EventTypeFilter, "source", "processing_state", SignatureFilter, ReceivedFilter, ConversationFilter)
    show_facets = admin.ShowFacets.NEVER  # one COUNT per filter choice over the whole inbox
    # get_search_results picks the column; these only make the search box appear.
    search_fields = ("conversation_sid__exact", "message_sid__exact", "participant_sid__exact")
    search_help_text = "A SID (CH…, MB…, IM…/SM…/MM…, DY…), whole or its start; or an event type."
    list_select_related = False  # no foreign keys; an explicit False stops the admin guessing
    show_full_result_count = False
    actions = ("reprocess",)
    fieldsets = (
        (
            "Event",
            {
                "fields": (
                    ("event_type", "source"),
                    ("processing_state", "attempts"),
                    ("received_at", "processed_at"),
                    "outcome",
                    "processing_error",
                    "dedup_key",
                )
            },
        ),
        ("Mirrored records", {"fields": ("mirrored_records",)}),
        ("Payload", {"fields": ("params_table",)}),
        ("Signature and headers", {"fields": ("signature", "signed_url", "headers_table")}),
    )
    readonly_fields = ("signature", "mirrored_records", "params_table", "headers_table")
    # Free text that may quote a number (Twilio's error messages, the applier's outcome line).
    masked_fields = {
        "outcome": "outcome_shown",
        "processing_error": "processing_error_shown",
        "dedup_key": "dedup_key_shown",
    }

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        column = SID_COLUMNS.get(term[:2])
        if column and SID_SHAPE.fullmatch(term):
            return queryset.filter(**{column: term}), False
        if column and len(term) >= MIN_PREFIX:
            return queryset.filter(**{f"{column}__startswith": term}), False
        if term.startswith("DY") and len(term) >= MIN_PREFIX:
            # Receipts have no column: their SID leads the dedup key (unique, indexed).
            return queryset.filter(dedup_key__startswith=f"conversations:onDeliveryUpdated:{term}"), False
        return queryset.filter(event_type=term), False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "webhook_refusals": webhook_display.refusals_summary()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Signature")
    def signature(self, event):
        if not event.signature_valid:
            return "Not valid"
        return f"Valid ({(event.signature_algorithm or 'HMAC_SHA1').replace('_', '-')})"

    @admin.display(description="Source", ordering="source")
    def source_name(self, event):
        return event.source

    @admin.display(description="Signature")
    def signature_short(self, event):
        if not event.signature_valid:
            return "✗ not valid"
        return "✓ " + (event.signature_algorithm or "HMAC_SHA1").removeprefix("HMAC_")

    @admin.display(description="SIDs")
    def sids(self, event):
        """Shortened to fit the list (the start is what the search box takes); whole on hover."""
        named = [sid for sid in (event.conversation_sid, event.participant_sid, event.message_sid) if sid]
        if not named:
            return "—"
        return format_html_join(
            mark_safe("<br>"), '<code title="{}">{}…</code>', ((sid, sid[:SHORT_SID]) for sid in named)
        )

    @admin.display(description="Outcome")
    def outcome_summary(self, event):
        text = shown(event, event.processing_error or event.outcome)
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description="Outcome")
    def outcome_shown(self, event):
        return shown(event, event.outcome)

    @admin.display(description="Processing error")
    def processing_error_shown(self, event):
        return shown(event, event.processing_error)

    @admin.display(description="Dedup key")
    def dedup_key_shown(self, event):
        return shown(event, event.dedup_key)

    @admin.display(description="Records in the mirror")
    def mirrored_records(self, event):
        return webhook_display.mirrored_records(event, masked=is_masked(event))

    @admin.display(description="Parameters (as Twilio sent them)")
    def params_table(self, event):
        return webhook_display.params_table(event, masked=is_masked(event))

    @admin.display(description="Headers")
    def headers_table(self, event):
        return webhook_display.headers_table(event, masked=is_masked(event))

    @admin.action(description="Reprocess (apply again)", permissions=["reprocess"])
    def reprocess(self, request, queryset):
        report = webhook_events_reprocess(events=queryset, user=request.user)
        self.message_user(request, report.message(), messages.SUCCESS if report.queued else messages.WARNING)

    def has_reprocess_permission(self, request):
        """Staff who may change webhook events and do what applying one may do on Twilio
        (push, send: permissions.REPROCESS_EVENTS); the rows themselves stay read-only."""
        return may(request, rules.REPROCESS_EVENTS)


@admin.register(WebhookRejection)
class WebhookRejectionAdmin(MaskedFieldsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Counters of refused webhook requests; the requests themselves are never stored."""

    list_display = ("reason", "count", "last_at")
    ordering = ("reason",)
