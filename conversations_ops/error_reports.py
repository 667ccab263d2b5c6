"""What Django's error pages and error e-mails may show: never the console's secrets, never a whole number.

Django already hides settings whose names contain AUTH, TOKEN, KEY, SECRET or
PASS (TWILIO_AUTH_TOKEN, TWILIO_WEBHOOK_SIGNING_KEYS, SECRET_KEY). This filter
(DEFAULT_EXCEPTION_REPORTER_FILTER) also hides REDIS_URL, which may carry a
password, and any traceback variable whose value holds one of those secrets:
the gateway builds Twilio's client from the auth token, and a failing call
would otherwise show it among the frame's local variables.

Phone numbers are masked like the admin masks them (masking.mask_numbers_in):
in POST and META (the query string, the path of /admin/...?q=whatsapp:+...),
and in each traceback variable's text. The report also prints pieces no filter
reaches (the GET parameters, the exception's own message, the URL), so the
e-mail handler (`MaskedAdminEmailHandler`, LOGGING's mail_admins) masks the
whole subject and text of the mail too: error mails go to ADMINS, who are not
necessarily allowed to see numbers, and sit in mailboxes for years.
"""

import re

from django.conf import settings
from django.utils.log import AdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter

from conversations_ops.masking import mask_data, mask_numbers_in

SECRET_SETTINGS = ("SECRET_KEY", "TWILIO_AUTH_TOKEN", "TWILIO_PREVIOUS_AUTH_TOKEN", "METRICS_TOKEN")
SHORTEST_SECRET = 8  # shorter values would hide innocent variables and protect nothing


def secret_values() -> list[str]:
    """The secrets' current values (read now, not at import: tests and settings overrides change them)."""
    values = [str(getattr(settings, name) or "") for name in SECRET_SETTINGS]
    values += [str(secret) for secret in settings.TWILIO_WEBHOOK_SIGNING_KEYS.values()]
    return [value for value in values if len(value) >= SHORTEST_SECRET]


class ConsoleExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile("API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|REDIS", flags=re.I)

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        secrets = secret_values()
        return [(name, _masked_variable(value, secrets, self.cleansed_substitute)) for name, value in variables]

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if not parameters:
            return parameters
        masked = parameters.copy()  # a QueryDict: its copy may be changed
        for key, values in parameters.lists():
            masked.setlist(key, [mask_numbers_in(v) if isinstance(v, str) else v for v in values])
        return masked

    def get_safe_request_meta(self, request):
        return mask_data(super().get_safe_request_meta(request))


def _masked_variable(value, secrets: list[str], substitute):
    """A frame variable as the report may show it: hidden if it holds a secret, its text masked if it
    holds a number (the report prints its repr either way), else the value itself."""
    text = _text(value)
    if any(secret in text for secret in secrets):
        return substitute
    masked = mask_numbers_in(text)
    return masked if masked != text else value


def _text(value) -> str:
    try:
        return repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not break the error report
        return ""


class MaskedAdminEmailHandler(AdminEmailHandler):
    """Django's error mails to ADMINS with every number in the subject, the text and the HTML masked."""

    def emit(self, record):
        if not settings.ADMINS:  # Django's own shortcut, lost by overriding send_mail
            return
        super().emit(record)

    def send_mail(self, subject, message, *args, **kwargs):
        if kwargs.get("html_message"):
            kwargs["html_message"] = mask_numbers_in(kwargs["html_message"])
        super().send_mail(mask_numbers_in(subject), mask_numbers_in(message), *args, **kwargs)
