"""Who must prove a second factor, which authenticator app is theirs, and checking one of its codes."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conversations_ops.permissions import VIEW_FULL_NUMBERS

DEVICE_NAME = "Authenticator app"


def second_factor_required(user) -> bool:
    """Superusers and whoever may see whole numbers, when SECOND_FACTOR_REQUIRED is on (production).

    Asked on every request, from the user's permissions as they are now (Django reads them
    once per request), so a permission granted a minute ago counts at once.
    """
    if not settings.SECOND_FACTOR_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.has_perm(VIEW_FULL_NUMBERS)


def required_reason(user) -> str:
    """Why this account needs one, in words for the enrolment page."""
    if user.is_superuser:
        return "Your account is a superuser"
    return "Your account may see whole phone numbers"


def confirmed_device(user) -> TOTPDevice | None:
    """The user's authenticator app, once enrolment confirmed it with a code; None before."""
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device an enrolment shows: the same one on every reload, so the QR code
    a person scanned stays valid until they confirm it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@dataclass(frozen=True)
class TokenCheck:
    device: TOTPDevice | None  # the device that accepted the code, None when refused
    error: str = ""
    guessed: bool = False  # a code was typed and refused (counted as a failed login)


def token_check(device: TOTPDevice, token: str | None) -> TokenCheck:
    """Checks a code against one device, under django-otp's throttle.

    In one transaction with the device row locked, so two requests cannot both spend the same
    code or both slip past the throttle. A wrong code is counted by django-otp (the next check
    waits 1, 2, 4 ... seconds); while it waits, no code is checked at all, the right one included.
    """
    token = (token or "").strip().replace(" ", "")
    if not token:
        return TokenCheck(None, "Enter the 6-digit code your authenticator app shows for Conversations Ops.")
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, extra = locked.verify_is_allowed()
        if not allowed:
            until = timezone.localtime(extra["locked_until"]).strftime("%H:%M:%S")
            return TokenCheck(
                None,
                f"Too many wrong codes ({extra['failure_count']} in a row): no code is checked before "
                f"{until}. Wait until then, then enter the code your app shows.",
                guessed=True,
            )
        if locked.verify_token(token):
            return TokenCheck(locked)
    return TokenCheck(
        None,
        "Wrong or expired code: enter the 6 digits your authenticator app shows now (each code works once).",
        guessed=True,
    )


def sessions_end(user, *, keep: str | None = None) -> int:
    """Deletes the account's live sessions but `keep` (a session key); answers how many.

    Database sessions, the console's (SESSION_ENGINE is Django's default). After a reset a
    session left open (on the lost phone's browser, say) could enrol a new app for whoever
    holds it; after an enrolment, sessions logged in with the password alone would go on
    without the code. Reads every live session: for an operator's command and an enrolment,
    rare and small.
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=keep or "").iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended
