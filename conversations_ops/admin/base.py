"""Admin pieces shared by every mirror of a Twilio resource.

Every registered admin, these and Django's alike, also takes only its declared filters, search
and ordering: that rule is admin/lookups.py, put in front of each admin by apps.py (no admin
opts in, so none is forgotten)."""

from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet

from .sync_display import row_problem_html, row_problem_summary

# Only the sync machinery writes these; staff read them to see where a record stands.
MIRROR_FIELDS = (
    "sid",
    "sync_state",
    "sync_problem",
    "last_synced_at",
    "last_seen_at",
    "last_sync_error",
    "last_sync_error_code",
    "local_id",
    "date_created",
    "date_updated",
    "created_at",
    "updated_at",
)
MIRROR_COLUMNS = ("sid", "sync_state", "sync_problem_summary", "last_synced_at")


class TwilioMirrorAdmin(admin.ModelAdmin):
    """Adds the sync columns, filter and read-only section to every mirror admin."""

    # Webhook URLs typed without a scheme should mean https, as Twilio expects.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_list_display(self, request):
        return (*super().get_list_display(request), *MIRROR_COLUMNS)

    def get_list_filter(self, request):
        return ("sync_state", *super().get_list_filter(request))

    def get_readonly_fields(self, request, obj=None):
        return (*MIRROR_FIELDS, *super().get_readonly_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        editable = [f for f in self.get_fields(request, obj) if f not in MIRROR_FIELDS]
        return [
            ("Twilio identity and sync", {"fields": MIRROR_FIELDS}),
            ("Details", {"fields": editable}),
        ]

    @admin.display(description="What went wrong")
    def sync_problem(self, obj):
        return row_problem_html(obj)

    @admin.display(description="Sync problem")
    def sync_problem_summary(self, obj):
        return row_problem_summary(obj)


class ReadOnlyAdminMixin:
    """Records that only arrive from Twilio: staff may look, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LimitedInlineFormSet(BaseInlineFormSet):
    """Shows the newest rows only, so a busy parent page stays fast."""

    max_shown = 20

    def get_queryset(self):
        if not hasattr(self, "_limited_queryset"):
            newest = super().get_queryset().order_by("-pk")
            self._limited_queryset = newest[: self.max_shown]
        return self._limited_queryset


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A short, read-only list of child records with a link to each one's own page."""

    extra = 0
    show_change_link = True
    formset = LimitedInlineFormSet

    def get_readonly_fields(self, request, obj=None):
        return self.fields
