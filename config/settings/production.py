"""Production: every secret comes from the environment, no simulator.

A required value that is missing OR empty is a start-up error naming it:
`TWILIO_AUTH_TOKEN=""` must not become an empty signing key that accepts
nothing (or, worse, a token Django or Twilio treats as "not configured").
A secret that is a placeholder (.env.example's values, "changeme", "xxxx",
one character repeated: config.env.placeholder_reason, the one rule) is refused
the same way, and so is a SECRET_KEY Django's own deploy check would call weak.
The errors name the variable and the reason, never the value.
"""

import re

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from config.env import placeholder_reason

from .base import *  # noqa: F403
from .base import env

# Twilio's account SIDs: AC and 32 hex digits (https://www.twilio.com/docs/glossary/what-is-a-sid).
ACCOUNT_SID_SHAPE = re.compile(r"AC[0-9a-fA-F]{32}")


def _refuse(name: str, why: str):
    raise ImproperlyConfigured(f"{name} {why}: production settings refuse it (see docs/deploy.md, 'The environment').")


def secret_check(name: str, value: str) -> str:
    """`value` when it may be a real secret; ImproperlyConfigured naming `name` and why otherwise."""
    reason = placeholder_reason(value)
    if reason:
        _refuse(name, f"is a placeholder, not a secret ({reason})")
    return value


def required(name: str, *, secret: bool = False) -> str:
    """The variable's value, stripped; ImproperlyConfigured when unset or blank (or, for a
    secret, a placeholder)."""
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set or is empty: production settings need a value for it "
            "(see docs/deploy.md, 'The environment')."
        )
    return secret_check(name, value) if secret else value


def secret_key_check(value: str) -> str:
    """Django's own bar for SECRET_KEY (check --deploy's security.W009), made a start-up error."""
    if value.startswith(SECRET_KEY_INSECURE_PREFIX):
        _refuse("DJANGO_SECRET_KEY", f"starts with {SECRET_KEY_INSECURE_PREFIX!r} (Django's development key)")
    if len(value) < SECRET_KEY_MIN_LENGTH or len(set(value)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        _refuse(
            "DJANGO_SECRET_KEY",
            f"is too weak (Django asks for at least {SECRET_KEY_MIN_LENGTH} characters, "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different)",
        )
    return value


DEBUG = False
SECRET_KEY = secret_key_check(required("DJANGO_SECRET_KEY", secret=True))
ALLOWED_HOSTS = [host.strip() for host in required("ALLOWED_HOSTS").split(",") if host.strip()]

# Real Twilio only: missing credentials are a startup error, not a silent
# fall-back to the simulator. TWILIO_API_BASE_URL may still send every call to
# a standalone simulator (`make simulator`) or a proxy.
TWILIO_SIMULATED = False
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "simulator"]  # noqa: F405
TWILIO_ACCOUNT_SID = required("TWILIO_ACCOUNT_SID", secret=True)
if not ACCOUNT_SID_SHAPE.fullmatch(TWILIO_ACCOUNT_SID):
    _refuse("TWILIO_ACCOUNT_SID", "is not an account SID (AC followed by 32 hexadecimal digits)")
TWILIO_AUTH_TOKEN = required("TWILIO_AUTH_TOKEN", secret=True)
if TWILIO_AUTH_TOKEN == SIMULATOR_AUTH_TOKEN:  # noqa: F405
    # Published in this repository: anyone could sign webhooks with it.
    _refuse("TWILIO_AUTH_TOKEN", "is the bundled simulator's token, which is public")
# Set during a rotation only; a placeholder here would sign webhooks as well as the real token.
if TWILIO_PREVIOUS_AUTH_TOKEN:  # noqa: F405
    secret_check("TWILIO_PREVIOUS_AUTH_TOKEN", TWILIO_PREVIOUS_AUTH_TOKEN)  # noqa: F405
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="").rstrip("/")
PUBLIC_BASE_URL = required("PUBLIC_BASE_URL").rstrip("/")
# A signing key named with an empty secret would check signatures against "".
_empty_keys = [key_id for key_id, secret in TWILIO_WEBHOOK_SIGNING_KEYS.items() if not str(secret).strip()]  # noqa: F405
if _empty_keys:
    raise ImproperlyConfigured(f"TWILIO_WEBHOOK_SIGNING_KEYS has an empty secret for {', '.join(_empty_keys)}.")
for _key_id, _secret in TWILIO_WEBHOOK_SIGNING_KEYS.items():  # noqa: F405
    secret_check(f"TWILIO_WEBHOOK_SIGNING_KEYS ({_key_id})", str(_secret).strip())
# A metrics token, when set, is the scrape's only proof.
if METRICS_TOKEN:  # noqa: F405
    secret_check("METRICS_TOKEN", METRICS_TOKEN)  # noqa: F405

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
