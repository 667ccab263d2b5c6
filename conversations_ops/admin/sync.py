from django.contrib import admin

from conversations_ops.models import SyncOperation

from .base import ReadOnlyAdminMixin


@admin.register(SyncOperation)
class SyncOperationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Outbox rows are written by services in the same transaction as the change,
    so the admin only shows them; retry and cancel arrive as actions later."""

    list_display = (
        "id", "operation", "state", "attempts", "next_attempt_at",
        "result_sid", "last_error_code", "requested_by",
    )
    list_filter = ("state",)
    list_select_related = ("content_type", "requested_by")
    search_fields = ("result_sid__exact", "ordering_key__exact")
    show_full_result_count = False
