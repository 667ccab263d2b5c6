"""Production: every secret comes from the environment, no simulator."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# Real Twilio only: missing credentials are a startup error, not a silent
# fall-back to the simulator.
TWILIO_SIMULATED = False
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "simulator"]  # noqa: F405
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="").rstrip("/")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL").rstrip("/")

# HTTPS behind a TLS-terminating proxy. Webhook signatures are checked
# against PUBLIC_BASE_URL, so they do not depend on these headers.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])

# Shell commands that change Twilio must say on whose behalf (--as USERNAME or CONSOLE_USER).
CONSOLE_COMMANDS_REQUIRE_USER = env.bool("CONSOLE_COMMANDS_REQUIRE_USER", default=True)
