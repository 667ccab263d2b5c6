"""The consent report, /admin/consent/report/ (config/urls.py mounts it behind the admin's login, as the
response-time figures are): per sender, who is opted in, opted out or unknown now, the changes over a
chosen period by how, links to the registry list filtered the same way, and the period's changes as a
CSV (masked unless "view full numbers"). The figures are consent/report.py's; this page only shows them.

Who: Auditors (they prove who agreed), and those who answer for consent (Ops and Advisor managers, who
may change it); superusers have every permission. Support and Advisors read single entries in the
registry but do not get the whole picture.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from conversations_ops import permissions as rules
from conversations_ops.consent.report import consent_report, default_period, period_changes
from conversations_ops.masking import can_see_full_numbers
from conversations_ops.models import Consent, ConsentHow, ConsentState

from .consent import _csv_lines


def may_see_report(user) -> bool:
    """Reads the registry, and sees every customer (Auditors) or may change consent (Ops, Advisor managers)."""
    return rules.user_may(user, rules.VIEW_CONSENT) and (
        rules.user_may(user, rules.VIEW_ALL_CUSTOMERS) or rules.user_may(user, rules.CHANGE_CONSENT)
    )


class ReportPeriodForm(forms.Form):
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The period's first day, counted whole (YYYY-MM-DD; empty: 30 days ago).",
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The period's last day, counted whole (YYYY-MM-DD; empty: today).",
    )
    sender = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    how = forms.ChoiceField(required=False, choices=[("", "")] + list(ConsentHow.choices), widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        first, last = default_period()
        data["date_from"] = data.get("date_from") or (first if not data.get("date_to") else None)
        data["date_to"] = data.get("date_to") or last
        if data["date_from"] is None:  # only "to" given: the 30 days up to it
            data["date_from"] = default_period(data["date_to"])[0]
        if data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The last day must be on or after the first day.")
        return data


def _registry_link(sender: str, state: str) -> str:
    query = urlencode({"sender": sender, "state__exact": state})  # the list's own filter parameters
    return f"{reverse('admin:conversations_ops_consent_changelist')}?{query}"


def report_view(request):
    if not may_see_report(request.user):
        raise PermissionDenied
    first, last = default_period()
    form = ReportPeriodForm(request.GET or None, initial={"date_from": first, "date_to": last})
    rows, period = [], None
    if not form.is_bound:
        period = (first, last)
    elif form.is_valid():
        period = (form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    if period is not None:
        figures = consent_report(*period)
        base = {"date_from": period[0].isoformat(), "date_to": period[1].isoformat()}
        csv_url = reverse("consent_report_changes")
        for f in figures:
            rows.append(
                {
                    "sender": f.sender,
                    "opted_in": (f.opted_in, _registry_link(f.sender, ConsentState.OPTED_IN)),
                    "opted_out": (f.opted_out, _registry_link(f.sender, ConsentState.OPTED_OUT)),
                    "unknown": f.unknown,
                    "changes": [
                        (n, f"{csv_url}?{urlencode({**base, 'sender': f.sender, 'how': how})}" if n else "")
                        for how, n in f.changes_by_how()
                    ],
                    "total": (f.changes_total, f"{csv_url}?{urlencode({**base, 'sender': f.sender})}"),
                }
            )
    context = {
        **admin.site.each_context(request),
        "title": "Consent report",
        "opts": Consent._meta,
        "form": form,
        "period": period,
        "rows": rows,
        "hows": [label for _, label in ConsentHow.choices],
        "csv_url": (
            f"{reverse('consent_report_changes')}?"
            f"{urlencode({'date_from': period[0].isoformat(), 'date_to': period[1].isoformat()})}"
            if period
            else ""
        ),
    }
    return TemplateResponse(request, "admin/conversations_ops/consent/report.html", context)


def changes_csv_view(request):
    """The period's changes (one row each, with the entry's current state), streamed; numbers masked unless allowed."""
    if not may_see_report(request.user):
        raise PermissionDenied
    form = ReportPeriodForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponseBadRequest(f"Not exported: {problems}", content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    changes = period_changes(data["date_from"], data["date_to"], sender=data["sender"], how=data["how"])
    full = can_see_full_numbers(request.user)
    response = StreamingHttpResponse(_csv_lines(changes, full=full), content_type="text/csv; charset=utf-8")
    name = f"consent-changes-{data['date_from'].isoformat()}-{data['date_to'].isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


report_page = admin.site.admin_view(report_view)
changes_csv_page = admin.site.admin_view(changes_csv_view)
