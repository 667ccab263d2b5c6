"""Replace the courier: a page per connected pairing (the new number, what the new courier will read).

Thin: the form takes the number, the service (pairings/courier_replace.py) runs the same pre-flight
as a new pairing's courier and queues the replacement; its refusals are shown beside the field."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from conversations_ops.masking import address_for
from conversations_ops.messaging.template_variables import template_render
from conversations_ops.models import Pairing, PairingState
from conversations_ops.pairings.courier_replace import CourierReplaceRefused, pairing_courier_replace

from .forms import service_errors_show

TEMPLATE = "admin/conversations_ops/pairing/courier_replace.html"


class CourierReplaceForm(forms.Form):
    courier = forms.CharField(
        max_length=64,
        label="New courier",
        help_text="Their phone: whatsapp:+E.164 for WhatsApp, +E.164 for SMS. Checked on Twilio before anything is "
        "sent (their number pair must be free).",
    )


def courier_replace_view(admin, request, object_id):
    if not admin.has_manage_permission(request):
        raise PermissionDenied
    pairing = get_object_or_404(Pairing.objects.select_related("conversation", "connected_template"), pk=object_id)
    change_url = reverse("admin:conversations_ops_pairing_change", args=[pairing.pk])
    form = CourierReplaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pairing_courier_replace(pairing=pairing, courier_address=form.cleaned_data["courier"], user=request.user)
        except CourierReplaceRefused as exc:
            service_errors_show(form, exc)
        else:
            admin.message_user(
                request,
                f"{pairing}: the courier is being replaced (old one removed, new one added, connected template "
                "sent to them). The timeline shows each step.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.model._meta,
        "title": f"Replace the courier of {pairing}",
        "pairing": pairing,
        "form": form,
        "connected": pairing.state == PairingState.CONNECTED,
        "current_courier": address_for(request.user, pairing.courier_address),
        "connected_preview": template_render(
            template=pairing.connected_template, variables=pairing.connected_variables
        ),
        "change_url": change_url,
    }
    return TemplateResponse(request, TEMPLATE, context)
