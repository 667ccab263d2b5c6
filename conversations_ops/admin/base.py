"""Admin pieces shared by every mirror of a Twilio resource.

Every registered admin, these and Django's alike, also takes only its declared filters, search
and ordering: that rule is admin/lookups.py, put in front of each admin by apps.py (no admin
opts in, so none is forgotten)."""

from django.contrib import admin
from django.db import models
from django.forms.models import BaseInlineFormSet

from .sync_display import row_problem_html, row_problem_summary, sync_status_html

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
    """Adds the sync columns and filter to every mirror admin, and lays out its forms.

    An add form asks only what staff fill in: nothing exists on Twilio yet, so it has no sync
    fields, and no read-only field either (there is nothing to show before the record exists;
    `add_readonly_shown` names the exceptions). A change form opens with one status line (synced,
    waiting, or failed with what went wrong and the next step) above the editable fields, and
    keeps the full sync details (SID, dates, local id, errors) folded after them.
    """

    # Webhook URLs typed without a scheme should mean https, as Twilio expects.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Read-only displays that mean something on the add form (none by default).
    add_readonly_shown = ()
    # The add form's own layout, as Django's fieldsets (None: the editable fields in one block).
    add_fieldsets = None

    def get_list_display(self, request):
        return (*super().get_list_display(request), *MIRROR_COLUMNS)

    def get_list_filter(self, request):
        return ("sync_state", *super().get_list_filter(request))

    def get_readonly_fields(self, request, obj=None):
        status = ("sync_status",) if obj is not None else ()
        return (*status, *MIRROR_FIELDS, *super().get_readonly_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.get_add_fieldsets(request)
        details = ("sync_status", *MIRROR_FIELDS)
        editable = [f for f in self.get_fields(request, obj) if f not in details]
        return [
            (None, {"fields": ("sync_status",), "classes": ("sync-status-row",)}),
            ("Details", {"fields": editable}),
            ("Twilio identity and sync details", {"fields": MIRROR_FIELDS, "classes": ("collapse",)}),
        ]

    def get_add_fieldsets(self, request):
        if self.add_fieldsets is not None:
            return self.add_fieldsets
        hidden = set(self.get_readonly_fields(request, None)) - set(self.add_readonly_shown)
        return [(None, {"fields": [f for f in self.get_fields(request, None) if f not in hidden]})]

    def sync_status_links(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) of what this viewer may do about the record's sync from its page."""
        return []

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        # A display gets the row, not the request: the row carries the viewer's links (as
        # masking flags the rows it loads for their viewer).
        if obj is not None:
            obj.sync_status_links = self.sync_status_links(request, obj)
        return obj

    @admin.display(description="Twilio sync")
    def sync_status(self, obj):
        return sync_status_html(obj, getattr(obj, "sync_status_links", ()))

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
