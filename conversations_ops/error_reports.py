"""What Django's error pages and error e-mails may show: never the console's secrets.

Django already hides settings whose names contain AUTH, TOKEN, KEY, SECRET or
PASS (TWILIO_AUTH_TOKEN, TWILIO_WEBHOOK_SIGNING_KEYS, SECRET_KEY). This filter
(DEFAULT_EXCEPTION_REPORTER_FILTER) also hides REDIS_URL, which may carry a
password, and any traceback variable whose value holds one of those secrets:
the gateway builds Twilio's client from the auth token, and a failing call
would otherwise show it among the frame's local variables.
"""

import re

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

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
        return [
            (name, self.cleansed_substitute if any(secret in _text(value) for secret in secrets) else value)
            for name, value in variables
        ]


def _text(value) -> str:
    try:
        return repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not break the error report
        return ""
