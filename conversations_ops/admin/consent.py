"""The consent registry in the admin (issue 20): the list, each entry's history, the staff override
and the masked CSV export. Every change goes through consent/services.py: the registry's rows are
never edited or deleted here (they are the evidence auditors show)."""

from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from conversations_ops import permissions as rules
from conversations_ops.consent.selectors import consent_refusal, when_text
from conversations_ops.consent.services import consent_set
from conversations_ops.exports import formula_safe
from conversations_ops.masking import address_for, can_see_full_numbers, mask_numbers_in, shown
from conversations_ops.models import Consent, ConsentChange, ConsentState

from .masked import MaskedFieldsMixin, MaskedInlineMixin
from .permissions import may, require

EXPORT_COLUMNS = (
    "address",
    "sender",
    "current_state",
    "change_state",
    "how",
    "occurred_at",
    "message_sid",
    "keyword",
    "error_code",
    "reason",
    "staff",
    "recorded_at",
)
CHUNK_ROWS = 1000


class ConsentChangeInline(MaskedInlineMixin, admin.TabularInline):
    model = ConsentChange
    extra = 0
    can_delete = False
    fields = ("occurred_at", "state", "how", "message_sid", "keyword", "error_code", "reason", "staff_name")
    readonly_fields = fields
    verbose_name_plural = "History (oldest first)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # evidence: nobody edits it (the masked rows could not be saved back anyway)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consent)
class ConsentAdmin(MaskedFieldsMixin, admin.ModelAdmin):
    change_list_template = "admin/conversations_ops/consent/change_list.html"
    change_form_template = "admin/conversations_ops/consent/change_form.html"
    list_display = ("__str__", "shown_address", "sender", "state", "how", "since")
    list_filter = ("state", "how", "sender")
    # The whole number, typed exactly, finds the person even for staff who see it masked.
    search_fields = ("address__exact", "sender__exact")
    search_help_text = "A whole number, exactly: whatsapp:+447700900123 or +447700900123 (the person or the sender)."
    show_full_result_count = False
    fields = ("address", "sender", "state", "how", "since", "refusal", "created_at")
    readonly_fields = fields
    masked_fields = {"address": "shown_address"}
    inlines = (ConsentChangeInline,)

    @admin.display(description="Person")  # not sortable: the order of masked numbers would tell them
    def shown_address(self, obj):
        return shown(obj, obj.address)

    @admin.display(description="Sends refused because")
    def refusal(self, obj):
        reason = consent_refusal(obj.address, obj.sender)
        return shown(obj, reason) if reason else "- (may be messaged)"

    def has_add_permission(self, request):
        return False  # "Record a change" (the staff override, with a reason) instead

    def has_change_permission(self, request, obj=None):
        return False  # the state follows from the history; the override adds to it

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = {"may_record": may(request, rules.CHANGE_CONSENT), **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra)

    def changelist_view(self, request, extra_context=None):
        from .consent_report import may_see_report  # that module builds on this one

        extra = {
            "may_record": may(request, rules.CHANGE_CONSENT),
            "may_see_report": may_see_report(request.user),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        own = [
            path("record/", wrap(self.record_view), name="conversations_ops_consent_record"),
            path("export/", wrap(self.export_view), name="conversations_ops_consent_export"),
        ]
        return own + super().get_urls()

    # The staff override ---------------------------------------------------------------

    def record_view(self, request):
        require(request, rules.CHANGE_CONSENT)
        consent = None
        if request.GET.get("consent", "").isdigit():
            consent = get_object_or_404(Consent, pk=request.GET["consent"])
        form = ConsentRecordForm(request.POST or None, consent=consent, initial={"state": request.GET.get("state")})
        if request.method == "POST" and form.is_valid():
            try:
                change = consent_set(
                    address=consent.address if consent else form.cleaned_data["address"],
                    sender=consent.sender if consent else form.cleaned_data["sender"],
                    state=form.cleaned_data["state"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                done = f"{change.consent}: {change.get_state_display().lower()} ({change.reason})"
                self.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:conversations_ops_consent_change", args=[change.consent_id]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Record a consent change",
            "form": form,
            "consent": consent,
            "consent_shown": address_for(request.user, consent.address) if consent else "",
        }
        return TemplateResponse(request, "admin/conversations_ops/consent/record.html", context)

    # The export -------------------------------------------------------------------------

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)  # the list's filters and search, declared ones only
        ids = changelist.queryset.values("pk")
        changes = (
            ConsentChange.objects.filter(consent_id__in=ids)
            .select_related("consent")
            .order_by("consent__address", "consent__sender", "occurred_at", "id")
        )
        full = can_see_full_numbers(request.user)
        response = StreamingHttpResponse(_csv_lines(changes, full=full), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="consent.csv"'
        return response


def _csv_lines(changes, *, full: bool):
    """The registry's history, one change a row with the entry's current state, numbers masked unless `full`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(EXPORT_COLUMNS)
    yield flush()
    text = (lambda s: s) if full else mask_numbers_in
    for change in changes.iterator(chunk_size=CHUNK_ROWS):
        consent = change.consent
        # Reasons are staff's free text: a cell that would run as a formula is defused as in the history export.
        writer.writerow(
            map(
                formula_safe,
                [
                    text(consent.address),
                    consent.sender,
                    consent.state,
                    change.state,
                    change.how,
                    change.occurred_at.isoformat(),
                    change.message_sid,
                    text(change.keyword),
                    change.error_code if change.error_code is not None else "",
                    text(change.reason),
                    text(change.staff_name),
                    change.recorded_at.isoformat() if change.recorded_at else "",
                ],
            )
        )
        yield flush()


class ConsentRecordForm(forms.Form):
    address = forms.CharField(
        max_length=64, help_text="The person: whatsapp:+E.164 for WhatsApp, +E.164 for SMS (country code first)."
    )
    sender = forms.CharField(
        max_length=64, help_text="The business sender they talk to: whatsapp:+E.164 or +E.164 (SMS)."
    )
    state = forms.ChoiceField(
        choices=[
            (ConsentState.OPTED_IN, "Opt in (with reason): the person agreed again"),
            (ConsentState.OPTED_OUT, "Opt out on request: the person asked to stop"),
        ],
        widget=forms.RadioSelect,
        help_text="Nobody is opted back in without a recorded reason.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # the service says what a good reason is, beside this field
        help_text="Who asked, how and when (e.g. 'asked by phone on 3 Dec, ticket 1234'). Kept as evidence.",
    )

    def __init__(self, *args, consent: Consent | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if consent is not None:
            # The entry is known: its number is not asked for again (nor shown whole to who may not see it).
            del self.fields["address"], self.fields["sender"]

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


def consent_line(address: str, sender: str) -> str:
    """The consent state on a person's page (customer, participant): read-only, linked to the registry
    entry (its history and the staff override). It holds no number: nothing to mask."""
    if not address or not sender:
        return "-"
    consent = Consent.objects.filter(address=address, sender=sender).first()
    if consent is None:
        return "Unknown (nothing recorded)"
    label = f"{consent.get_state_display()} since {when_text(consent.since)}: {consent.get_how_display().lower()}"
    url = reverse("admin:conversations_ops_consent_change", args=[consent.pk])
    return format_html('<a href="{}">{}</a>', url, label)
