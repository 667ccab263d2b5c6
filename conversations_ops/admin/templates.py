"""Templates: the mirror of Twilio's Content API, sync, create/submit/copy, status history and alerts.

Create and submit reach Twilio at once: add_template / change_template and
push_to_twilio. "Copy as a new template" creates one (add_template and
push_to_twilio; submitting the copy at once also needs the submit rule). Sync
needs view_template and push_to_twilio; acknowledging an alert,
change_templatestatuschange (conversations_ops.permissions).
"""

import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe

from conversations_ops import permissions as rules
from conversations_ops.masking import can_see_full_numbers, mask_data
from conversations_ops.messaging.template_authoring import (
    CATEGORIES,
    template_approval_validate,
    template_copy,
    template_create,
    template_submit,
    template_submitted,
)
from conversations_ops.messaging.template_sync import template_last_synced_at, template_sync_all
from conversations_ops.messaging.templates import (
    template_alerts_acknowledge,
    template_alerts_open,
    template_usable,
    template_uses,
)
from conversations_ops.models import Template, TemplateStatusChange
from conversations_ops.twilio import gateway
from conversations_ops.twilio.reads import read_failure_line

from .base import ReadOnlyAdminMixin, TwilioMirrorAdmin
from .masked import MaskedFieldsMixin
from .permissions import may
from .template_forms import TemplateApprovalForm, TemplateCreateForm
from .work_filters import AwaitingApprovalFilter


def _next_version(name: str) -> str:
    """courier_invite -> courier_invite_v2, courier_invite_v2 -> courier_invite_v3: the next version's name."""
    match = re.fullmatch(r"(.*)_v(\d+)", name or "")
    return f"{match.group(1)}_v{int(match.group(2)) + 1}" if match else f"{name}_v2"


def _initial_for(request, initial: dict) -> dict:
    """A form's prefilled values with numbers masked for staff who may not see them (what they
    submit is a new text: a copy made by them carries the masked form)."""
    return initial if can_see_full_numbers(request.user) else mask_data(initial)


def _copy_initial(template: Template) -> dict:
    variables = template.variables if isinstance(template.variables, dict) else {}
    numbered = sorted((k for k in variables if str(k).isdigit()), key=int)
    category = (template.approval_category or "").upper()
    return {
        "friendly_name": _next_version(template.friendly_name or template.approval_name),
        "language": template.language,
        "body": template.body_text,
        "samples": "\n".join(str(variables[k]) for k in numbered),
        "submit": True,
        "approval_name": _next_version(template.approval_name or template.friendly_name),
        "category": category if category in CATEGORIES else "",
    }


def _add_errors(form, error: ValidationError) -> None:
    """The service's refusal beside the field it names; the rest above the form."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for name, errors in by_field.items():
        form.add_error(name if name in form.fields else None, errors)


@admin.register(Template)
class TemplateAdmin(MaskedFieldsMixin, TwilioMirrorAdmin):
    list_display = ("friendly_name", "language", "approval_category", "approval_status", "usable", "body_preview")
    list_filter = ("language", "approval_status", AwaitingApprovalFilter)  # the home page's count
    search_fields = ("sid__exact", "friendly_name__startswith")
    actions = ("sync_from_twilio",)

    # Twilio has no edit for a template's content: the change page only shows it.
    def get_readonly_fields(self, request, obj=None):
        model_fields = [f.name for f in Template._meta.concrete_fields if f.name != "id"]
        return (*super().get_readonly_fields(request, obj), *model_fields)

    def has_delete_permission(self, request, obj=None):
        return False  # deleting is done on Twilio; the sync marks it deleted here

    def has_add_permission(self, request):
        return may(request, rules.CREATE_TEMPLATE)

    def has_submit_permission(self, request):
        return may(request, rules.SUBMIT_TEMPLATE)

    def has_sync_permission(self, request):
        return may(request, rules.SYNC_TEMPLATES)

    @admin.display(description="Text")
    def body_preview(self, obj):
        text = obj.body_text
        return text if len(text) <= 80 else f"{text[:79]}…"

    @admin.display(description="Usable", boolean=True)
    def usable(self, obj):
        return template_usable(template=obj)[0]

    def get_urls(self):
        own = [
            path("sync/", self.admin_site.admin_view(self.sync_view), name="conversations_ops_template_sync"),
            path(
                "<int:pk>/submit/",
                self.admin_site.admin_view(self.submit_view),
                name="conversations_ops_template_submit",
            ),
            path(
                "<int:pk>/copy/",
                self.admin_site.admin_view(self.copy_view),
                name="conversations_ops_template_copy",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "templates_last_synced_at": template_last_synced_at(),
            "template_alerts": list(template_alerts_open()[:20]),
            "can_sync": self.has_sync_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        template = Template.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        extra_context = {**(extra_context or {})}
        if template is not None:
            # Twilio takes one approval request per template (92009): once submitted, a change is a copy.
            submitted = template_submitted(template)
            may_submit = self.has_submit_permission(request) and template.sid and not submitted
            may_copy = self.has_add_permission(request) and template.sid and submitted
            extra_context.update(
                submit_url=reverse("admin:conversations_ops_template_submit", args=[template.pk]) if may_submit else "",
                copy_url=reverse("admin:conversations_ops_template_copy", args=[template.pk]) if may_copy else "",
                copies=list(template.copies.order_by("pk")),
                uses=template_uses(template=template) if template.copies.exists() else None,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # Sync ------------------------------------------------------------------

    @admin.action(description="Sync templates from Twilio", permissions=["sync"])
    def sync_from_twilio(self, request, queryset=None):
        try:
            result = template_sync_all()
        except gateway.GatewayError as exc:
            self.message_user(request, f"Sync templates from Twilio failed: {read_failure_line(exc)}", messages.ERROR)
            return
        counts = result.summary.resources["templates"]
        self.message_user(
            request,
            f"Templates synced: {counts.items} read, {counts.created} new, "
            f"{counts.updated} changed, {len(result.changes)} status change(s).",
        )
        for change in result.alerts:
            self.message_user(
                request, f"Alert: template {change.template} in use is now {change.new_status}.", messages.ERROR
            )

    def sync_view(self, request):
        if request.method != "POST" or not self.has_sync_permission(request):
            raise PermissionDenied  # a GET must not call Twilio
        self.sync_from_twilio(request)
        return HttpResponseRedirect(reverse("admin:conversations_ops_template_changelist"))

    # Create and submit -----------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TemplateCreateForm(request.POST or None)
        template = self._create_from_form(request, form, template_create)
        if template is not None:
            return HttpResponseRedirect(reverse("admin:conversations_ops_template_change", args=[template.pk]))
        return self._form_page(request, form, "Write a WhatsApp template")

    def submit_view(self, request, pk):
        template = get_object_or_404(Template, pk=pk)
        if not self.has_submit_permission(request):
            raise PermissionDenied
        form = TemplateApprovalForm(
            request.POST or None, initial=_initial_for(request, {"approval_name": template.friendly_name})
        )
        if request.method == "POST" and form.is_valid():
            try:
                template_submit(
                    template=template,
                    approval_name=form.cleaned_data["approval_name"],
                    category=form.cleaned_data["category"],
                    user=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                self.message_user(request, f"Template {template} submitted: status {template.approval_status}.")
                return HttpResponseRedirect(reverse("admin:conversations_ops_template_change", args=[template.pk]))
        return self._form_page(request, form, f"Submit {template} for WhatsApp approval", template)

    def copy_view(self, request, pk):
        """The confirmation page (what the copy will be, who uses the original), then the copy."""
        template = get_object_or_404(Template, pk=pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TemplateCreateForm(request.POST or None, initial=_initial_for(request, _copy_initial(template)))
        form.fields["submit"].label = "Submit the copy for WhatsApp approval now"
        copied = self._create_from_form(
            request,
            form,
            lambda **fields: template_copy(template=template, **fields),
            created_note=f", a copy of {template}",
            refuse_submit_without_permission=True,
        )
        if copied is not None:
            if template_uses(template=template).any:
                self.message_user(
                    request,
                    f"{template} is still used: switch the places listed on its page to {copied}.",
                    messages.WARNING,
                )
            return HttpResponseRedirect(reverse("admin:conversations_ops_template_change", args=[copied.pk]))
        return self._form_page(
            request,
            form,
            f"Copy {template} as a new template",
            template,
            submit_label="Create the copy on Twilio",
            copy_of=template,
            uses=template_uses(template=template),
        )

    def _create_from_form(
        self, request, form, create, *, created_note="", refuse_submit_without_permission=False
    ) -> Template | None:
        """The POST of the create and copy pages, written once: an approval request that would be
        refused is refused before the template exists on Twilio, then `create` (template_create or
        template_copy) makes it, then it is submitted if asked. Returns the new template, or None
        (not a valid POST: the form carries the refusal beside its field)."""
        if request.method != "POST" or not form.is_valid():
            return None
        data = form.cleaned_data
        try:
            if data["submit"]:
                if refuse_submit_without_permission and not self.has_submit_permission(request):
                    raise ValidationError({"submit": "You may create templates but not submit them: untick this."})
                template_approval_validate(approval_name=data["approval_name"], category=data["category"])
            template = create(
                friendly_name=data["friendly_name"],
                language=data["language"],
                body=data["body"],
                samples=data["samples"],
                user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return None
        self.message_user(request, f"Template {template} created on Twilio ({template.sid}){created_note}.")
        if data["submit"]:
            self._submit(request, template, data["approval_name"], data["category"])
        return template

    def _submit(self, request, template, approval_name, category) -> None:
        try:
            template_submit(template=template, approval_name=approval_name, category=category, user=request.user)
        except ValidationError as exc:
            self.message_user(request, f"Not submitted: {' '.join(exc.messages)}", messages.ERROR)
        else:
            self.message_user(request, f"Submitted for WhatsApp approval: status {template.approval_status}.")

    def _form_page(self, request, form, title, template=None, **extra):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "opts": self.opts,
            "original": template,
            **extra,
        }
        return TemplateResponse(request, "admin/conversations_ops/template/form_page.html", context)


@admin.register(TemplateStatusChange)
class TemplateStatusChangeAdmin(MaskedFieldsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "template",
        "old_status",
        "new_status",
        "category_change",
        "seen_at",
        "in_use",
        "alert_state",
        "rejection_reason",
    )
    list_filter = ("alert", ("acknowledged_at", admin.EmptyFieldListFilter), "new_status")
    list_select_related = ("template", "acknowledged_by")
    search_fields = ("template__friendly_name__startswith", "template__sid__exact")
    actions = ("acknowledge",)

    def has_acknowledge_permission(self, request):
        return may(request, rules.ACKNOWLEDGE_ALERTS)

    @admin.display(description="Category")
    def category_change(self, obj):
        if obj.recategorised:
            return f"{obj.old_category} → {obj.new_category} (re-categorised by Meta)"
        return obj.new_category or "-"

    @admin.display(description="Alert")
    def alert_state(self, obj):
        if not obj.alert:
            return "-"
        if obj.acknowledged_at is None:
            return mark_safe('<strong style="color:#ba2121">open</strong>')  # a constant: nothing to escape
        return f"acknowledged by {obj.acknowledged_by or 'a deleted user'} at {obj.acknowledged_at:%Y-%m-%d %H:%M}"

    @admin.action(description="Acknowledge", permissions=["acknowledge"])
    def acknowledge(self, request, queryset):
        count = template_alerts_acknowledge(changes=queryset, user=request.user)
        self.message_user(request, f"{count} alert(s) acknowledged.")
