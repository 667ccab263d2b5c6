"""Two checks on every request of a logged-in session (after authentication and messages).

SessionRecheckMiddleware: at login the session keeps a fingerprint of what the account may
do (active, staff, superuser, its groups, every permission it has through them or its own);
a request whose account no longer matches is logged out with a message. Django reads
permissions again on every request, so a removed permission is already refused on the next
one; logging out also drops what the session proved under the old access (the second factor),
and a newly granted permission that needs a second factor is asked for at the next login.

SecondFactorMiddleware: an account that must have a second factor (rules.second_factor_required)
and whose session has not proved one reaches only the enrolment page. A session never holds an
account that has an app without having proved it: the login form asks for the code, enrolling
ends the account's other sessions and a reset ends them all (rules.sessions_end), so no
per-request query looks for a device.

Requests without a session cookie (webhooks, health checks, scrapes) cost nothing: no cookie,
no logged-in user.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from conversations_ops.second_factor.rules import second_factor_required

FINGERPRINT_SESSION_KEY = "access_fingerprint"


def access_fingerprint(user) -> str:
    """A hash of everything that decides what the account may see and do.

    The effective permissions, not the group ids: the console asks permissions, never group
    names (permissions.py), so joining or leaving a group matters exactly when it changes
    them, and a permission taken from a group changes them for every member although nobody's
    groups changed. A superuser's are "all" (listing every permission would add a query).
    get_all_permissions() fills the user's per-request permission cache, which the page's own
    permission checks then reuse: for staff the check costs no query of its own.
    """
    permissions = "*" if user.is_superuser else ",".join(sorted(user.get_all_permissions()))
    state = f"{user.is_active}|{user.is_staff}|{user.is_superuser}|{permissions}"
    return hashlib.sha256(state.encode()).hexdigest()


def remember_access(sender, request, user, **kwargs):
    """user_logged_in receiver (connected in apps.py): the fingerprint the session is checked against."""
    if request is not None and hasattr(request, "session"):
        # Read afresh: the object handed to login() may carry a permission cache from earlier.
        request.session[FINGERPRINT_SESSION_KEY] = access_fingerprint(type(user)._default_manager.get(pk=user.pk))


def _logged_in(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


def _log_out(request, message: str):
    next_path = request.get_full_path()
    logout(request)
    messages.warning(request, message)
    return redirect_to_login(next_path, reverse("admin:login"))


class SessionRecheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _logged_in(request) and request.session.get(FINGERPRINT_SESSION_KEY) != access_fingerprint(request.user):
            return _log_out(
                request,
                "Your groups or permissions changed since you logged in (or your session predates that "
                "check): log in again so the console applies what you may do now.",
            )
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _logged_in(request) or request.user.is_verified():
            return self.get_response(request)
        user = request.user
        if second_factor_required(user) and request.path not in _open_paths():
            enrol = reverse("second_factor:enrol")
            return redirect(f"{enrol}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _open_paths() -> set[str]:
    """What an account that must enrol may still reach: the enrolment page and logging out."""
    return {reverse("second_factor:enrol"), reverse("admin:logout"), reverse("admin:jsi18n")}
