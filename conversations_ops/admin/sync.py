import json

from django.contrib import admin

from conversations_ops.masking import is_masked, shown
from conversations_ops.models import OperationState, SyncOperation
from conversations_ops.twilio.errors import explain

from .base import ReadOnlyAdminMixin
from .masked import MaskedFieldsMixin
from .sync_display import explanation_html, target_link


@admin.register(SyncOperation)
class SyncOperationAdmin(MaskedFieldsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Outbox rows are written by services in the same transaction as the change,
    so the admin only shows them; staff retry from the record's own list.

    A payload or Twilio's error message may quote a person's number (a changed
    binding, "participant +1... already exists"): masked unless the viewer may see it."""

    list_display = (
        "id",
        "operation",
        "state",
        "target_column",
        "attempts",
        "next_attempt_at",
        "result_sid",
        "last_error_code",
        "problem_summary",
        "requested_by",
    )
    list_filter = ("state", "operation")
    list_select_related = ("content_type", "requested_by")
    search_fields = ("result_sid__exact", "ordering_key__exact")
    show_full_result_count = False
    readonly_fields = ("target_column", "problem")
    masked_fields = {"payload": "payload_shown", "last_error_message": "last_error_message_shown"}

    def get_queryset(self, request):
        # One query per kind of record, not one per row, for the Record column.
        return super().get_queryset(request).prefetch_related("target")

    @admin.display(description="Record")
    def target_column(self, op):
        return target_link(op, masked=is_masked(op))

    @admin.display(description="Payload")
    def payload_shown(self, op):
        return shown(op, json.dumps(op.payload, ensure_ascii=False))

    @admin.display(description="Last error message")
    def last_error_message_shown(self, op):
        return shown(op, op.last_error_message)

    @admin.display(description="What went wrong")
    def problem(self, op):
        if op.state != OperationState.FAILED:
            return "—"
        return explanation_html(
            code=op.last_error_code, status=op.last_error_status, message=shown(op, op.last_error_message)
        )

    @admin.display(description="Problem")
    def problem_summary(self, op):
        if op.state != OperationState.FAILED:
            return ""
        return explain(op.last_error_code, op.last_error_status).title
