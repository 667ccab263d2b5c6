"""The audit trail and the admin log, read-only for everyone (superusers included).

- Audit trail (AuditEntry): every staff action that reached Twilio, with Twilio's answer.
- Admin log (Django's LogEntry): every add/change/delete made through an admin form,
  with the names of the changed fields; the model history (docs/architecture.md).

Both lists avoid counting the whole table (no full result count, no date
hierarchy) and mask numbers in the names they show.
"""

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from conversations_ops.audit.entries import DIRECT_ACTIONS, mask_numbers
from conversations_ops.models import AuditEntry, AuditResult
from conversations_ops.outbox.queue import OPERATIONS
from conversations_ops.twilio.errors import explain

from .base import ReadOnlyAdminMixin
from .masked import MaskedFieldsMixin
from .sync_display import explanation_html


class ActionFilter(admin.SimpleListFilter):
    """The known actions, listed without a DISTINCT over the whole table."""

    title, parameter_name = "action", "action"

    def lookups(self, request, model_admin):
        return [(name, name) for name in sorted({*OPERATIONS, *DIRECT_ACTIONS})]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class SameRecordFilter(admin.SimpleListFilter):
    """The entries of one record: the "All actions on ..." link of an entry's page
    (`?content_type=<id>&object_id=<id>`). Listed only when chosen."""

    title, parameter_name = "record", "object_id"

    def __init__(self, request, params, model, model_admin):
        self.content_type = params.pop("content_type", [""])[-1]
        super().__init__(request, params, model, model_admin)

    def expected_parameters(self):
        return ["content_type", "object_id"]

    def _chosen(self) -> bool:
        return (self.value() or "").isdigit() and self.content_type.isdigit()

    def lookups(self, request, model_admin):
        if not self._chosen():
            return []
        entry = AuditEntry.objects.filter(content_type_id=self.content_type, object_id=self.value()).first()
        return [(self.value(), mask_numbers((entry and entry.target_repr) or f"#{self.value()}"))]

    def has_output(self):
        return self._chosen() or bool(self.value() or self.content_type)

    def choices(self, changelist):
        yield {
            "selected": False,
            "query_string": changelist.get_query_string(remove=self.expected_parameters()),
            "display": "All records",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": True,
                "query_string": changelist.get_query_string({"content_type": self.content_type, "object_id": value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self._chosen():
            return queryset.filter(content_type_id=self.content_type, object_id=self.value())
        # Half a record (or not a number) matches none, rather than silently everything.
        return queryset.none() if (self.value() or self.content_type) else queryset


def _admin_link(content_type_id, object_id, label):
    if not content_type_id or object_id is None:
        return label or "—"
    content_type = ContentType.objects.get_for_id(content_type_id)  # cached: no query per row
    try:
        url = reverse(f"admin:{content_type.app_label}_{content_type.model}_change", args=[object_id])
    except NoReverseMatch:
        return label
    return format_html('<a href="{}">{}</a>', url, label or f"{content_type.model} #{object_id}")


class NoActionsReadOnlyAdmin(MaskedFieldsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    actions = None
    # Neither the total nor the filters' "Show counts": both would count the whole table.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50


@admin.register(AuditEntry)
class AuditEntryAdmin(NoActionsReadOnlyAdmin):
    list_display = (
        "created_at",
        "actor_name",
        "source",
        "action",
        "target_column",
        "result_column",
        "twilio_sid",
        "operation_column",
    )
    list_filter = (
        ActionFilter,
        "source",
        "result_state",
        "actor",
        ("created_at", admin.DateFieldListFilter),
        SameRecordFilter,
    )
    search_fields = ("=target_sid", "=twilio_sid")
    search_help_text = "A Twilio SID, exactly: the record's (CH…, MB…, HX…) or the one Twilio answered with."
    fieldsets = (
        ("Who and when", {"fields": ("created_at", "actor_name", "actor", "source")}),
        ("What", {"fields": ("action", "target_column", "target_sid", "detail", "operation_column", "same_target")}),
        ("Twilio's answer", {"fields": ("result_state", "twilio_sid", "explanation", "completed_at")}),
    )
    readonly_fields = ("created_at", "target_column", "operation_column", "same_target", "explanation")

    @admin.display(description="Target")
    def target_column(self, entry):
        return _admin_link(entry.content_type_id, entry.object_id, mask_numbers(entry.target_repr))

    @admin.display(description="Twilio result", ordering="result_state")
    def result_column(self, entry):
        if entry.result_state != AuditResult.FAILED:
            return entry.get_result_state_display()
        if not (entry.twilio_error_code or entry.twilio_http_status):
            return f"Failed: {mask_numbers(entry.twilio_error)[:80]}"  # refused before Twilio, or Twilio did not answer
        code = f"{entry.twilio_error_code} · " if entry.twilio_error_code else ""
        return f"Failed: {code}{explain(entry.twilio_error_code, entry.twilio_http_status).title}"

    @admin.display(description="Outbox operation")
    def operation_column(self, entry):
        if entry.operation_id is None:
            return "—"
        url = reverse("admin:conversations_ops_syncoperation_change", args=[entry.operation_id])
        return format_html('<a href="{}">#{}</a>', url, entry.operation_id)

    @admin.display(description="Other entries for this record")
    def same_target(self, entry):
        if not entry.content_type_id or entry.object_id is None:
            return "—"
        url = reverse("admin:conversations_ops_auditentry_changelist")
        return format_html(
            '<a href="{}?content_type={}&object_id={}">All actions on {}</a>',
            url,
            entry.content_type_id,
            entry.object_id,
            mask_numbers(entry.target_repr) or "this record",
        )

    @admin.display(description="What Twilio said")
    def explanation(self, entry):
        if entry.result_state != AuditResult.FAILED:
            return "—"
        if not (entry.twilio_error_code or entry.twilio_http_status):
            return mask_numbers(entry.twilio_error) or "—"  # refused before Twilio (e.g. a pairing's pre-flight)
        return explanation_html(
            code=entry.twilio_error_code, status=entry.twilio_http_status, message=mask_numbers(entry.twilio_error)
        )


@admin.register(LogEntry)
class AdminLogAdmin(NoActionsReadOnlyAdmin):
    """Django writes these on each admin add/change/delete; the names in them are masked here for
    everyone (the record's own page shows the number to those allowed)."""

    list_display = ("action_time", "user", "action_flag", "content_type", "object_column", "change_column")
    list_filter = ("action_flag", ("action_time", admin.DateFieldListFilter), "content_type")
    list_select_related = ("user", "content_type")
    fields = ("action_time", "user", "action_flag", "content_type", "object_id", "object_column", "change_column")
    readonly_fields = ("object_column", "change_column")

    def get_object(self, request, object_id, from_field=None):
        # The page's title and breadcrumbs print str(entry): mask it in memory (the admin never saves it).
        entry = super().get_object(request, object_id, from_field)
        if entry is not None:
            entry.object_repr, entry.change_message = (
                mask_numbers(entry.object_repr),
                mask_numbers(entry.change_message),
            )
        return entry

    @admin.display(description="Record")
    def object_column(self, entry):
        return _admin_link(entry.content_type_id, entry.object_id, mask_numbers(entry.object_repr))

    @admin.display(description="Change")
    def change_column(self, entry):
        return mask_numbers(entry.get_change_message())
