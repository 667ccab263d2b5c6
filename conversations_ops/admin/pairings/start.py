"""The "Start pairing" page: fill in, Check (the pre-flight), read the previews, Confirm and start.

Every refusal comes from the pairings package (pairing_preflight, pairing_start,
conflict_close); this module turns them into form errors and messages. Numbers
typed on the page travel in the POST body only, never in a URL (URLs end up in
logs), so "Close that conversation" posts the whole form and answers with it.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from conversations_ops import validators as v
from conversations_ops.models import Pairing
from conversations_ops.models.pairings import DEFAULT_AUTO_REPLY
from conversations_ops.pairings.actions import PairingRefused, conflict_close, pairing_start
from conversations_ops.pairings.preflight import pairing_preflight

from .forms import StartPairingForm, preflight_errors_show, service_errors_show

# Posted values that are not the form's: they are dropped when the form is shown again.
NOT_FORM_VALUES = ("csrfmiddlewaretoken", "action", "confirmed", "conversation_sid")


def _render(admin, request, form, *, preflight=None, conflicts=()):
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.model._meta,
        "title": "Start a courier pairing",
        "form": form,
        "preflight": preflight,  # set when every check passed: the preview step
        "conflicts": [(conflict, _pairing_of(conflict)) for conflict in conflicts],
        # The service sends the default when the field is left empty.
        "auto_reply_preview": (preflight.request.auto_reply or DEFAULT_AUTO_REPLY) if preflight else "",
        "conflict_close_url": reverse("admin:conversations_ops_pairing_conflict_close"),
    }
    return TemplateResponse(request, "admin/conversations_ops/pairing/start.html", context)


def _pairing_of(conflict):
    """The console's pairing holding that conversation, if any: staff may rather close the pairing."""
    if conflict.mirrored_pk is None:
        return None
    return Pairing.objects.filter(conversation_id=conflict.mirrored_pk).first()


def _refilled(data) -> StartPairingForm:
    """The form again with what was typed, unchecked (to edit, or after closing a conflict)."""
    return StartPairingForm(initial={k: data.get(k) for k in data if k not in NOT_FORM_VALUES})


def _refused(admin, request, form, preflight):
    preflight_errors_show(form, preflight)
    return _render(admin, request, form, conflicts=preflight.conflicts)


def pairing_start_view(admin, request):
    if not admin.has_add_permission(request):
        raise PermissionDenied
    if request.method != "POST":
        return _render(admin, request, StartPairingForm())
    action = request.POST.get("action", "check")
    if action in ("choose", "edit"):
        return _render(admin, request, _refilled(request.POST))
    form = StartPairingForm(request.POST)
    if not form.is_valid():
        return _render(admin, request, form)
    if action == "start" and form.cleaned_data["confirmed"]:
        return _start(admin, request, form)
    return _check(admin, request, form)


def _check(admin, request, form):
    preflight = pairing_preflight(request=form.pairing_request())  # asks Twilio whether both number pairs are free
    if not preflight.ok:
        return _refused(admin, request, form, preflight)
    data = request.POST.copy()
    data["confirmed"] = "on"
    confirmed = StartPairingForm(data)
    confirmed.is_valid()
    return _render(admin, request, confirmed, preflight=preflight)


def _start(admin, request, form):
    try:
        # Runs the pre-flight again: a number pair may have been taken since the check.
        pairing = pairing_start(request=form.pairing_request(), user=request.user)
    except PairingRefused as exc:
        return _refused(admin, request, _unconfirmed(request), exc.preflight)
    except ValidationError as exc:
        form = _unconfirmed(request)
        service_errors_show(form, exc)
        return _render(admin, request, form)
    admin.message_user(
        request,
        f"{pairing} started: its set-up is queued for Twilio; the timeline below shows each step as Twilio answers.",
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:conversations_ops_pairing_change", args=[pairing.pk]))


def _unconfirmed(request) -> StartPairingForm:
    data = request.POST.copy()
    data.pop("confirmed", None)
    form = StartPairingForm(data)
    form.is_valid()
    return form


def conflict_close_view(admin, request):
    """Closes the other conversation holding a number pair, then shows the form again as it was."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("admin:conversations_ops_pairing_start"))  # a GET changes nothing
    # Closing someone else's conversation is a change to that conversation, not only a pairing start.
    if not (admin.has_add_permission(request) and request.user.has_perm("conversations_ops.change_conversation")):
        raise PermissionDenied
    sid = request.POST.get("conversation_sid", "").strip()
    try:
        v.sid_validator(v.CONVERSATION_PREFIX)(sid)
        conversation = conflict_close(conversation_sid=sid, user=request.user)
    except ValidationError as exc:
        admin.message_user(
            request, f"Conversation {sid or '(none)'} not closed: {' '.join(exc.messages)}", messages.ERROR
        )
    else:
        url = reverse("admin:conversations_ops_conversation_change", args=[conversation.pk])
        admin.message_user(
            request,
            format_html(
                'Close of conversation <a href="{}">{}</a> is queued for Twilio. Once it shows as synced, press '
                "“Check” again: the number pair is free when Twilio has closed it.",
                url,
                sid,
            ),
            messages.SUCCESS,
        )
    return _render(admin, request, _refilled(request.POST))
