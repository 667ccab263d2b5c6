"""The Twilio simulator on its own (`make simulator`, scripts/run_simulator.sh).

A separate Django project in all but name: only the simulator app, its own
database, mounted at the root of its own port, so a console (any settings,
production included) or any Twilio client reaches it as it reaches Twilio, with
`TWILIO_API_BASE_URL=http://127.0.0.1:8001` (docs/simulator.md, "Standalone").

Every variable is prefixed SIMULATOR_, so the simulator and a console can share
one environment without reading each other's values (TWILIO_HTTP_TIMEOUT aside,
which means the same thing to both: the client's timeout).
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, database_config, env

# The built-in simulated account is the one the embedded simulator uses; importing
# base.py only reads the environment.
from config.settings.base import SIMULATOR_ACCOUNT_SID as _BUILT_IN_ACCOUNT_SID
from config.settings.base import SIMULATOR_AUTH_TOKEN as _BUILT_IN_AUTH_TOKEN

DEBUG = env.bool("SIMULATOR_DEBUG", default=False)
# Nothing the simulator serves is signed with it (no sessions, its control API is
# CSRF-exempt); Django only refuses to start without one.
SECRET_KEY = env.str("SIMULATOR_SECRET_KEY", default="twilio-simulator-standalone-not-a-secret")

SIMULATOR_PORT = env.int("SIMULATOR_PORT", default=8001)
# How clients and phones reach this simulator: every absolute URL it builds (resource
# `url`s, paging links, MediaUrlN of Messaging webhooks) starts with it.
SIMULATOR_PUBLIC_URL = env.str("SIMULATOR_PUBLIC_URL", default="").rstrip("/") or f"http://127.0.0.1:{SIMULATOR_PORT}"
ALLOWED_HOSTS = env.list(
    "SIMULATOR_ALLOWED_HOSTS",
    default=sorted({"127.0.0.1", "localhost", urlsplit(SIMULATOR_PUBLIC_URL).hostname or "127.0.0.1"}),
)

TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "simulator.standalone_urls"
WSGI_APPLICATION = "config.wsgi.application"

# Its own database, never the console's: an SQLite file at the repository root by
# default, tuned as the console's is (base.py) for the request threads and the
# webhook thread writing at once.
_database_url = env.str("SIMULATOR_DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'simulator.sqlite3'}"
DATABASES = {"default": database_config(_database_url)}

# The simulator needs nothing else: no admin, no sessions, no auth (the REST API
# checks Basic auth itself), no static files (the handset page inlines its CSS/JS).
INSTALLED_APPS = ["simulator"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# TWILIO: what the simulator reads under the console's setting names.
# The account it accepts (HTTP Basic auth, 401/20003 otherwise) and signs its webhooks with.
TWILIO_SIMULATED = True  # the handset page and the control API answer only when true
TWILIO_ACCOUNT_SID = env.str("SIMULATOR_ACCOUNT_SID", default="").strip() or _BUILT_IN_ACCOUNT_SID
TWILIO_AUTH_TOKEN = env.str("SIMULATOR_AUTH_TOKEN", default="").strip() or _BUILT_IN_AUTH_TOKEN
if not re.fullmatch(r"AC[0-9a-f]{32}", TWILIO_ACCOUNT_SID):
    raise ImproperlyConfigured(
        f"SIMULATOR_ACCOUNT_SID must look like a Twilio account SID (AC + 32 lower-case hex digits), "
        f"not {TWILIO_ACCOUNT_SID!r}"
    )
SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN = TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN  # as base.py names them
# Its own base URL: where media it serves is found when no request says otherwise.
TWILIO_API_BASE_URL = SIMULATOR_PUBLIC_URL
# Embedded, the simulated account starts with its post-event webhook pointed at the
# console beside it. Standalone there is no console to assume: no account webhook
# until a client configures one (POST /conversations/v1/Configuration/Webhooks),
# unless this names a console's PUBLIC_BASE_URL (then {it}/webhooks/twilio/conversations/).
SIMULATOR_DEFAULT_WEBHOOK_BASE_URL = env.str("SIMULATOR_DEFAULT_WEBHOOK_BASE_URL", default="").rstrip("/")
# The client's request timeout: a `timeout`/`lost_response` fault holds the answer
# back one second longer than this by default (the fault's `timeout_s` overrides it).
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=10.0)
# Twilio's 30 actions/s per conversation and per service; 0 turns the limit off.
SIMULATOR_RATE_LIMIT = env.int("SIMULATOR_RATE_LIMIT", default=30)
# Seconds a webhook receiver gets to answer ("Conversations webhooks have a maximum timeout of 5 seconds").
SIMULATOR_WEBHOOK_TIMEOUT = env.float("SIMULATOR_WEBHOOK_TIMEOUT", default=5.0)
# Receipts arrive later, as on Twilio: seconds from `sent` to `delivered` (or failed/undelivered),
# and from `delivered` to `read` on WhatsApp (empty: nobody reads); the control API changes both.
SIMULATOR_DELIVERED_AFTER_SECONDS = env.float("SIMULATOR_DELIVERED_AFTER_SECONDS", default=2.0)
_read_after = env.str("SIMULATOR_READ_AFTER_SECONDS", default="6").strip()
SIMULATOR_READ_AFTER_SECONDS = float(_read_after) if _read_after else None
SIMULATOR_RECEIPT_TICK_SECONDS = env.float("SIMULATOR_RECEIPT_TICK_SECONDS", default=0.5)

# LOGGING: errors (a failed webhook delivery, a 500) on stderr whatever DEBUG says;
# gunicorn writes the access log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("SIMULATOR_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"level": "INFO"},
        "twilio.http_client": {"level": "WARNING"},
    },
}
