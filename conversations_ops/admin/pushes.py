"""Admins for records staff push to Twilio: every save and delete goes through a service.

Subclasses name their services in `create_row`, `update_row` and `delete_row`;
this class only turns forms into service calls and results into messages. Every
write here queues a push, so each needs push_to_twilio besides the model permission
(PushPermissionMixin): without it the pages are read-only and the actions hidden.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from conversations_ops.models import SyncState
from conversations_ops.outbox import actions as push_actions
from conversations_ops.pull import actions as pull_actions

from .base import TwilioMirrorAdmin
from .permissions import PushPermissionMixin


def _with_service_error(form_class, error: ValidationError):
    """The same form, failing with the service's refusal, so staff see it beside the field."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}

    class ServiceRefusedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            for name, errors in by_field.items():
                self.add_error(name if name in self.fields else None, errors)
            return cleaned

    return ServiceRefusedForm


def _adopt(obj, row) -> None:
    """The admin keeps working with its own instance (for logs and redirects): give it the saved values."""
    for model_field in row._meta.concrete_fields:
        setattr(obj, model_field.attname, getattr(row, model_field.attname))
    obj._state.adding, obj._state.db = False, row._state.db


class PushedMirrorAdmin(PushPermissionMixin, TwilioMirrorAdmin):
    actions = ("push_now", "retry_failed", "pull_from_twilio")
    # Fields Twilio fixes at creation: read-only once the record is on Twilio.
    create_only_fields = ()

    def create_row(self, request, data):
        raise NotImplementedError

    def update_row(self, request, row, data):
        raise NotImplementedError

    def delete_row(self, request, row):
        raise NotImplementedError

    def get_readonly_fields(self, request, obj=None):
        frozen = self.create_only_fields if obj is not None and obj.sid else ()
        return (*super().get_readonly_fields(request, obj), *frozen)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "service_error", None)
        return form if error is None else _with_service_error(form, error)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # The failed attempt rolled back; render the form again with the refusal on it.
            request.service_error = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            row = self.model.objects.get(pk=obj.pk)
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            self.update_row(request, row, data)
        else:
            row = self.create_row(request, dict(form.cleaned_data))
        _adopt(obj, row)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            opts = self.model._meta
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))

    def delete_model(self, request, obj):
        self.delete_row(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        if not self.model.objects.filter(pk=obj_id).exists():
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(request, f"“{obj_display}” will be deleted on Twilio; the row goes once Twilio confirms.")
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def delete_queryset(self, request, queryset):
        queued = 0
        for row in queryset:
            try:
                queued += self.delete_row(request, row) is not None
            except ValidationError as exc:
                self.message_user(request, f"{row}: {' '.join(exc.messages)}", messages.ERROR)
        if queued:
            self.message_user(request, f"{queued} deletion(s) queued on Twilio; those rows go once Twilio confirms.")

    @admin.action(description="Push now", permissions=["push"])
    def push_now(self, request, queryset):
        self._report(request, "Push now", lambda: push_actions.mirror_rows_push_now(rows=queryset))

    @admin.action(description="Retry failed", permissions=["push"])
    def retry_failed(self, request, queryset):
        self._report(request, "Retry failed", lambda: push_actions.mirror_rows_retry_failed(rows=queryset))

    @admin.action(description="Pull from Twilio", permissions=["push"])
    def pull_from_twilio(self, request, queryset):
        self._report(request, "Pull from Twilio", lambda: pull_actions.mirror_rows_pull(rows=queryset))

    # The change page's status line offers the action its state calls for, to those who may push.
    ROW_ACTIONS = {SyncState.PENDING: "push_now", SyncState.FAILED: "retry_failed"}
    ROW_ACTION_WORDS = {
        "push_now": "sends its waiting change to Twilio now, while you wait, and says how it went.",
        "retry_failed": "puts its failed change back in the queue with fresh tries: the worker sends it to "
        "Twilio on its next round, and the record's page shows the outcome.",
    }

    def sync_status_links(self, request, obj):
        action = self.ROW_ACTIONS.get(obj.sync_state)
        if action is None or action not in self.get_actions(request):
            return []
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_sync_row", args=[obj.pk, action])
        return [(getattr(self, action).short_description, url)]

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/sync/<str:action>/",
                self.admin_site.admin_view(self.sync_row_view),
                name=f"{opts.app_label}_{opts.model_name}_sync_row",
            ),
            *super().get_urls(),
        ]

    def sync_row_view(self, request, object_id, action):
        """The status line's Push now / Retry failed for one record: a confirmation page (a GET
        never calls Twilio), then the same action the list runs on the selected rows."""
        if action not in self.ROW_ACTIONS.values():
            raise Http404("No such sync action.")
        if action not in self.get_actions(request):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such record.")
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        if request.method == "POST":
            getattr(self, action)(request, self.get_queryset(request).filter(pk=obj.pk))
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{getattr(self, action).short_description}: {obj}",
            "opts": opts,
            "original": obj,
            "action_label": getattr(self, action).short_description,
            "action_words": self.ROW_ACTION_WORDS[action],
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/conversations_ops/sync_row_confirm.html", context)

    def _report(self, request, action: str, run) -> None:
        report = run()
        parts = [f"{report.succeeded} done"]
        if report.pending:
            parts.append(f"{report.pending} queued (the worker runs them in the background)")
        if report.skipped:
            parts.append(f"{report.skipped} skipped (not on Twilio yet)")
        if report.gone:
            parts.append(f"{report.gone} no longer on Twilio (marked deleted)")
        if report.failures:
            parts.append(f"{len(report.failures)} failed")
        level = messages.WARNING if report.failures else messages.SUCCESS
        if not (report.succeeded or report.pending or report.skipped or report.gone or report.failures):
            parts, level = ["nothing to do for the selected rows"], messages.INFO
        self.message_user(request, f"{action}: {', '.join(parts)}.", level)
        for line in report.failures:
            self.message_user(request, line, messages.ERROR)


class NoUpdateMixin:
    """Twilio has no update for these records: the change page only shows them.

    Change permission still holds for the list, so the sync actions stay available;
    so does add permission: with nothing to change, whoever may create these records
    (and push) may also push, retry and pull them.
    """

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_push_permission(self, request):
        return self.has_add_permission(request) or super().has_push_permission(request)
