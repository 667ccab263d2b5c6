"""The admin's login form, with the second factor's code; the enrolment form."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed

from conversations_ops.second_factor.rules import confirmed_device, token_check


def _code_field(help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Authentication code",
        required=False,
        max_length=16,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )


class ConsoleLoginForm(AdminAuthenticationForm):
    """Username, password and, for staff who enrolled an authenticator app, its current code.

    One step: the session is logged in only when both factors are right, so a right
    password alone never holds a session of an enrolled account. A wrong code is a failed
    login for django-axes (the same five-tries lock as a wrong password, on top of
    django-otp's own throttle), and it leaves the axes count standing: only a whole login resets it.
    """

    otp_token = _code_field(
        "The 6 digits your authenticator app shows for Conversations Ops. Leave empty if you have not set one up."
    )

    def clean(self):
        cleaned = super().clean()  # the password (django-axes refuses a locked login first) and is_staff
        user = self.get_user()
        device = confirmed_device(user) if user is not None else None
        if device is None:
            return cleaned
        check = token_check(device, cleaned.get("otp_token"))
        if check.device is None:
            if check.guessed:
                # What authenticate() sends for a wrong password: django-axes counts it for this
                # username and address, and past the limit answers with the lockout page.
                user_login_failed.send(
                    sender=__name__, credentials={"username": user.get_username()}, request=self.request
                )
            raise forms.ValidationError({"otp_token": check.error})
        user.otp_device = check.device  # django-otp marks the session verified when login() runs
        return cleaned


class EnrolForm(forms.Form):
    otp_token = _code_field("The 6 digits the app shows now, after you added the account to it.")
