"""Close, Retry and Abandon on a pairing's page, and Close on the list.

Close and Abandon change Twilio for good (a closed conversation cannot reopen, an
abandoned one is deleted), so both ask first; Retry only sends failed steps again.
A refusal from the service comes back as an error message on the pairing's page.
"""

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from conversations_ops.models import OPEN_STATES, Pairing, PairingState
from conversations_ops.pairings.actions import ABANDONABLE, pairing_abandon, pairing_close, pairing_retry

CONFIRM_TEMPLATE = "admin/conversations_ops/pairing/confirm.html"
CLOSE_WARNING = (
    "Closing ends the conversation on Twilio for good: nobody can write in it again, and both number "
    "pairs are free for a new pairing. The transcript is kept. A pairing that never reached Twilio "
    "is abandoned instead."
)
ABANDON_WARNING = (
    "Abandoning deletes the conversation on Twilio (and its messages there); the console keeps its "
    "timeline. For pairings that failed or never got going; once people talk, close it instead."
)


def _closed_text(pairing: Pairing) -> str:
    return f"{pairing}: {pairing.get_state_display().lower()}."


def _retried_text(count: int) -> str:
    return f"{count} failed step{'s' if count != 1 else ''} sent to Twilio again."


def _abandoned_text(pairing: Pairing) -> str:
    return f"{pairing} abandoned: its conversation is being deleted on Twilio."


@dataclass(frozen=True)
class PairingAction:
    title: str
    run: object  # the service: (pairing=, user=) -> its outcome
    done: object  # outcome -> the success message
    warning: str = ""  # set: ask before doing it
    states: tuple = ()  # when the page offers it


ACTIONS = {
    "close": PairingAction("Close", pairing_close, _closed_text, CLOSE_WARNING, OPEN_STATES),
    "retry": PairingAction("Retry failed steps", pairing_retry, _retried_text, "", (PairingState.FAILED,)),
    "abandon": PairingAction("Abandon", pairing_abandon, _abandoned_text, ABANDON_WARNING, ABANDONABLE),
}


def offered_actions(pairing: Pairing) -> list[str]:
    return [name for name, action in ACTIONS.items() if pairing.state in action.states]


def confirmation(admin, request, *, title: str, warning: str, confirm: str, pairings, bulk_action: str = ""):
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.model._meta,
        "title": title,
        "warning": warning,
        "confirm": confirm,
        "pairings": pairings,
        "bulk_action": bulk_action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, CONFIRM_TEMPLATE, context)


def pairing_action_view(admin, request, object_id, name):
    if not admin.has_manage_permission(request):
        raise PermissionDenied
    pairing = get_object_or_404(Pairing, pk=object_id)
    action = ACTIONS[name]
    change_url = reverse("admin:conversations_ops_pairing_change", args=[pairing.pk])
    if request.method != "POST":
        if not action.warning:
            return HttpResponseRedirect(change_url)  # a GET changes nothing
        return confirmation(
            admin,
            request,
            title=f"{action.title} {pairing}?",
            warning=action.warning,
            confirm=f"Yes, {action.title.lower()} it",
            pairings=[pairing],
        )
    try:
        outcome = action.run(pairing=pairing, user=request.user)
    except ValidationError as exc:
        admin.message_user(request, f"{action.title} refused: {' '.join(exc.messages)}", messages.ERROR)
    else:
        admin.message_user(request, action.done(outcome), messages.SUCCESS)
    return HttpResponseRedirect(change_url)


def pairings_close(admin, request, queryset):
    """The list's "Close selected pairings": asks first (the admin's intermediate page), then closes each."""
    if request.POST.get("post") != "yes":
        return confirmation(
            admin,
            request,
            title="Close the selected pairings?",
            warning=CLOSE_WARNING,
            confirm="Yes, close them",
            pairings=list(queryset.select_related("conversation")),
            bulk_action="close_selected",
        )
    outcomes = Counter()
    for pairing in queryset:
        try:
            outcomes[pairing_close(pairing=pairing, user=request.user).get_state_display().lower()] += 1
        except ValidationError as exc:
            admin.message_user(request, f"{pairing}: {' '.join(exc.messages)}", messages.ERROR)
    if outcomes:
        summary = ", ".join(f"{count} {state}" for state, count in outcomes.items())
        admin.message_user(
            request,
            f"Close: {summary} (a closing pairing is done once Twilio has closed its conversation).",
            messages.SUCCESS,
        )
    return None
