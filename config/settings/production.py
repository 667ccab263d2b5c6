"""Production: every secret comes from the environment, no simulator.

A required value that is missing OR empty is a start-up error naming it:
`TWILIO_AUTH_TOKEN=""` must not become an empty signing key that accepts
nothing (or, worse, a token Django or Twilio treats as "not configured").
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def required(name: str) -> str:
    """The variable's value, stripped; ImproperlyConfigured when unset or blank."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set or is empty: production settings need a value for it "
            "(see docs/deploy.md, 'The environment')."
        )
    return value


DEBUG = False
SECRET_KEY = required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in required("ALLOWED_HOSTS").split(",") if host.strip()]

# Real Twilio only: missing credentials are a startup error, not a silent
# fall-back to the simulator. TWILIO_API_BASE_URL may still send every call to
# a standalone simulator (`make simulator`) or a proxy.
TWILIO_SIMULATED = False
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "simulator"]  # noqa: F405
TWILIO_ACCOUNT_SID = required("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = required("TWILIO_AUTH_TOKEN")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="").rstrip("/")
PUBLIC_BASE_URL = required("PUBLIC_BASE_URL").rstrip("/")
# A signing key named with an empty secret would check signatures against "".
_empty_keys = [key_id for key_id, secret in TWILIO_WEBHOOK_SIGNING_KEYS.items() if not str(secret).strip()]  # noqa: F405
if _empty_keys:
    raise ImproperlyConfigured(f"TWILIO_WEBHOOK_SIGNING_KEYS has an empty secret for {', '.join(_empty_keys)}.")

# HTTPS behind a TLS-terminating proxy. Webhook signatures are checked
# against PUBLIC_BASE_URL, so they do not depend on these headers.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# A load balancer probes the health check over plain HTTP: answer it, do not redirect it
# (patterns are matched against the path without its leading slash).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])

# Static files: `collectstatic` (run by `make serve` / the release step) writes
# compressed copies under hashed names, which WhiteNoise serves with a
# year-long, immutable cache lifetime. A template naming a file collectstatic
# did not see fails loudly instead of rendering the admin without its CSS.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Superusers and staff who may see whole numbers log in with a second factor (TOTP);
# `check --deploy` warns when this is turned off.
SECOND_FACTOR_REQUIRED = env.bool("SECOND_FACTOR_REQUIRED", default=True)

# Shell commands that change Twilio must say on whose behalf (--as USERNAME or CONSOLE_USER).
CONSOLE_COMMANDS_REQUIRE_USER = env.bool("CONSOLE_COMMANDS_REQUIRE_USER", default=True)
