"""The enrolment page: an authenticator app for the logged-in staff member, confirmed with a code."""

from base64 import b32encode

import django_otp
import segno
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from conversations_ops.audit.entries import audit_record
from conversations_ops.second_factor.forms import EnrolForm
from conversations_ops.second_factor.rules import (
    confirmed_device,
    enrolment_device,
    required_reason,
    second_factor_required,
    sessions_end,
    token_check,
)


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = {request.get_host()}
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts=allowed, require_https=request.is_secure()):
        return candidate
    return reverse("admin:index")


def _grouped(secret: str) -> str:
    """ "JBSWY3DPEHPK3PXP..." -> "JBSW Y3DP EHPK ...": easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enrol(request):
    """GET: the QR code (inline SVG), the otpauth URI and the key to type by hand; POST: confirm with a code.

    The key is shown only to the account itself and only while it has no confirmed app: an
    enrolled account changes its app through an operator's reset (`manage.py second_factor
    reset`), never here, so a stolen password cannot swap in the thief's phone.
    """
    user = request.user
    context = {
        **admin.site.each_context(request),
        "title": "Two-factor authentication",
        "next": _next_url(request),
        "required": second_factor_required(user),
        "required_reason": required_reason(user),
    }
    existing = confirmed_device(user)
    if existing is not None:
        context.update(enrolled=existing, verified=request.user.is_verified())
        return TemplateResponse(request, "second_factor/enrol.html", context)

    device = enrolment_device(user)
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        check = token_check(device, form.cleaned_data["otp_token"])
        if check.device is None:
            form.add_error("otp_token", check.error)
        else:
            check.device.confirmed = True
            check.device.save(update_fields=["confirmed"])
            django_otp.login(request, check.device)  # this session has now proved it
            # Sessions logged in elsewhere with the password alone would go on without the code.
            ended = sessions_end(user, keep=request.session.session_key)
            audit_record(action="second_factor.enrol", user=user, target=user, detail={"sessions_ended": ended})
            messages.success(
                request, "Two-factor authentication is on: from your next login, enter the code your app shows."
            )
            return HttpResponseRedirect(context["next"])

    uri = device.config_url
    context.update(
        form=form,
        otpauth_uri=uri,
        secret=_grouped(b32encode(device.bin_key).decode()),
        # segno writes only its own SVG elements and the URI's modules, no text from the request.
        qr_svg=mark_safe(segno.make(uri, error="m").svg_inline(scale=5, title="QR code for your authenticator app")),
    )
    return TemplateResponse(request, "second_factor/enrol.html", context)
