"""Settings shared by every environment. Everything comes from `config.env.env`."""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.env import BASE_DIR, database_config, env

# GENERAL
# https://docs.djangoproject.com/en/5.2/ref/settings/
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
PORT = env.int("PORT", default=8000)
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# DATABASES (tuning: config/env.py, database_config)
# SQLite by default. An empty DATABASE_URL (e.g. `DATABASE_URL=` left in .env) means the default too.
_database_url = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# lower case: not a setting (it holds a password)
DATABASES = {"default": database_config(_database_url, conn_max_age=env.int("CONN_MAX_AGE", default=60))}

# APPS
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "axes",  # login throttling (see LOGIN THROTTLING below)
    # The second factor (TOTP authenticator apps; see SECOND FACTOR below). Before the console's
    # app, so conversations_ops/admin/ can take django-otp's device admin off the site.
    "django_otp",
    "django_otp.plugins.otp_totp",
    # htmx's request details (request.htmx) and {% htmx_script %}: the advisor's inbox refreshes
    # its list and transcript by polling partials, with no front-end build.
    "django_htmx",
    "conversations_ops",
    # The Customer list's CSV import and export (clienteling/imports.py): its pages and templates.
    "import_export",
]

MIDDLEWARE = [
    # Before anything reads the body: a Content-Length Django cannot read is a 400, not a 500.
    "conversations_ops.request_guard.MalformedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything else touches the request (sessions, auth):
    # WhiteNoise serves them from memory-mapped, pre-compressed copies.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # request.user.is_verified(): whether this session proved the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # After authentication: marks admin requests so the audit trail records who acted, from the admin.
    "conversations_ops.audit.middleware.AuditSourceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages (both say why they sent someone away): a session whose groups or
    # permissions changed since its login is logged out; a session that has not proved the
    # second factor it needs reaches only the enrolment page (conversations_ops/second_factor/).
    "conversations_ops.second_factor.middleware.SessionRecheckMiddleware",
    "conversations_ops.second_factor.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The axes backend comes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "conversations_ops.context_processors.twilio_mode",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# SECURITY (tightened further in production.py)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A staff session lasts a working day and ends with the browser: the console shows
# customers' conversations, so a forgotten tab should not stay logged in for weeks.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script of the console reads the CSRF cookie (forms carry the token), so scripts may not.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Admin messages (Twilio's refusals quote numbers) masked for staff without "view full numbers".
MESSAGE_STORAGE = "conversations_ops.admin.masked.MaskedMessageStorage"
# Error pages and e-mails hide the Twilio token, signing keys, SECRET_KEY and REDIS_URL,
# and mask every phone number (request data, traceback variables, the e-mail's text).
DEFAULT_EXCEPTION_REPORTER_FILTER = "conversations_ops.error_reports.ConsoleExceptionReporterFilter"

# LOGIN THROTTLING (django-axes)
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
# Five wrong passwords for one username from one address lock that pair out for
# 15 minutes (the right password included); a successful login clears the count.
# Keyed by username AND address, so a stranger cannot lock a colleague out from
# elsewhere, and one address cannot guess many accounts' passwords unnoticed (each is
# logged). Behind a proxy set AXES_PROXY_COUNT so the client's address is used.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "conversations_ops.lockout.lockout_response"  # the page says what to do
# Axes keeps the form of each failed login (AccessAttempt.post_data): the password is always
# masked there; so are the username and address (its defaults) and the second factor's code.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# SECOND FACTOR (django-otp, TOTP; conversations_ops/second_factor/, README "Logins")
# Staff who enrolled an authenticator app always type its code at login. When this is true
# (the default in production.py), superusers and everyone with "view full numbers" must have
# proved one for the session: without an app they reach only the enrolment page.
SECOND_FACTOR_REQUIRED = env.bool("SECOND_FACTOR_REQUIRED", default=False)
# The account name authenticator apps show: "Conversations Ops:<username>".
OTP_TOTP_ISSUER = env.str("SECOND_FACTOR_ISSUER", default="Conversations Ops")
# django-otp's own throttle: after n wrong codes in a row an account's codes are not checked
# for 2**(n-1) seconds (1, 2, 4, ... ; 20 wrong codes: 6 days). Only a right code resets it, not
# a right password, so it holds where django-axes' count (reset by a good password) does not.
OTP_TOTP_THROTTLE_FACTOR = 1
# django-otp's device admin (taken off the site anyway, conversations_ops/admin/second_factor.py)
# would show every device's secret key and QR code to superusers.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# STAFF ROLES
# Shell commands that change Twilio (pairing, message_send, twilio_push,
# twilio_configure_webhooks) act as `--as USERNAME` / CONSOLE_USER when given;
# when true they refuse to run without one (production), so every change has a name.
CONSOLE_COMMANDS_REQUIRE_USER = env.bool("CONSOLE_COMMANDS_REQUIRE_USER", default=False)

# CUSTOMER CSV IMPORT (django-import-export)
# The dry run and the confirmed import each run in one transaction: a dry run writes nothing, and a
# confirmed file with a bad row creates no customer at all.
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Between the dry run and the confirm the uploaded file waits in the temp directory of the web host
# (removed on confirm): with several web hosts, the confirm must reach the same one (docs/deploy.md).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.TempFolderStorage"

# TWILIO
# With no credentials the console runs against the bundled simulator. The
# simulator accepts exactly these credentials and signs its webhooks with
# this token; they unlock nothing outside this machine.
SIMULATOR_ACCOUNT_SID = "AC" + "5e" * 16
SIMULATOR_AUTH_TOKEN = "simulated-auth-token-not-a-secret"

_sid = env.str("TWILIO_ACCOUNT_SID", default="").strip()
_token = env.str("TWILIO_AUTH_TOKEN", default="").strip()
if bool(_sid) != bool(_token):
    raise ImproperlyConfigured(
        "Set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN for real Twilio, or neither to use the bundled simulator."
    )
TWILIO_SIMULATED = not _sid
TWILIO_ACCOUNT_SID = _sid or SIMULATOR_ACCOUNT_SID
TWILIO_AUTH_TOKEN = _token or SIMULATOR_AUTH_TOKEN
# Every REST call goes to `{TWILIO_API_BASE_URL}/{product}/v1/...` when set.
TWILIO_API_BASE_URL = env(
    "TWILIO_API_BASE_URL",
    default=f"http://127.0.0.1:{PORT}/simulator" if TWILIO_SIMULATED else "",
).rstrip("/")
# How Twilio reaches this console: webhook URLs and signature checks use it.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")
# twilio-python waits forever by default; a stuck call must not pin a worker.
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=10.0)
# A sandbox message's media file (at most 16 MB) is downloaded within this many seconds in
# all, redirects included: a deadline for the whole download, not for each read.
TWILIO_MEDIA_DOWNLOAD_SECONDS = env.float("TWILIO_MEDIA_DOWNLOAD_SECONDS", default=30.0)
# Webhooks signed with a Twilio signing key (X-Twilio-Webhooks-Signature-Settings:
# key=<id>,algorithm=HMAC_SHA256) are checked with that key's secret:
# "id1=secret1,id2=secret2". Without it the auth token is the secret.
TWILIO_WEBHOOK_SIGNING_KEYS = env.dict("TWILIO_WEBHOOK_SIGNING_KEYS", default={})
# Rotating the auth token (Twilio Console: create a secondary token, promote it):
# Twilio signs each webhook with whichever token was primary when it sent it, so
# for a while requests signed with the old one still arrive. While this holds
# the old token, signatures made with it are accepted too (and logged); remove it
# once the rotation is over (docs/deploy.md, "Rotating the auth token").
TWILIO_PREVIOUS_AUTH_TOKEN = env.str("TWILIO_PREVIOUS_AUTH_TOKEN", default="").strip()

# Webhook inbox. Twilio's largest event (a 32 KB message body plus 16 KB of
# attributes, form-encoded) fits well under the cap.
WEBHOOK_MAX_BODY_BYTES = 256 * 1024
# A view wakes the inbox worker at most once per interval per process; the
# worker keeps looking for LINGER seconds after the inbox runs dry, so an
# event that arrives between two wake-ups is still applied within about a second.
WEBHOOK_WAKE_INTERVAL_SECONDS = 0.5
WEBHOOK_DRAIN_LINGER_SECONDS = 1.5
# While webhook requests are arriving, the worker pauses this long after each
# write it makes: recording comes first (Twilio never retries a webhook).
WEBHOOK_STEP_ASIDE_SECONDS = 0.5
# Refused webhook requests (bad signature, malformed, too large) are counted in each
# process's memory and written to the database at most this often (seconds), not once per
# request: a flood of forged requests must not compete with real events for the database.
WEBHOOK_REFUSALS_FLUSH_SECONDS = env.float("WEBHOOK_REFUSALS_FLUSH_SECONDS", default=30.0)
# PostgreSQL: the webhook INSERT is a prepared statement. Set false behind a
# pooler that cannot keep prepared statements (PgBouncer < 1.21, transaction mode).
WEBHOOK_PREPARED_INSERT = env.bool("WEBHOOK_PREPARED_INSERT", default=True)

# Outbox: how long a worker's claim on an operation lasts. Longer than the
# django-q2 task timeout (60 s), so a claim only expires when its worker is gone;
# then the sweep (every minute) hands the operation to another worker.
SYNC_LEASE_SECONDS = env.float("SYNC_LEASE_SECONDS", default=120.0)

# OUTBOX, PULL, WEBHOOKS TUNING (read by outbox/retry_policy.py at call time; the
# webhook and lease settings above belong here too). Backoff between tries of a
# Twilio call is full jitter: uniform(0, min(cap, base * 2**(attempt-1))) seconds.
# The backoff's base: the first retry waits up to this long.
SYNC_RETRY_BASE_SECONDS = 1.0
# The backoff's cap: no retry waits longer (Twilio's Retry-After aside).
SYNC_RETRY_CAP_SECONDS = 60.0
# The longest wait (backoff or pacing) a task sleeps itself; a longer one goes back to the outbox.
SYNC_INLINE_WAIT_SECONDS = 5.0
# Synchronous reads for staff (pre-flight, "Pull from Twilio", "Sync templates";
# twilio/reads.py): a 429, 5xx, timeout or dropped connection is tried again.
# Tries per read, the first included. Four: with 1 answer in 5 failing, a read fails
# for good 1 time in 625 (three tries: 1 in 125, too often for a start of five pairings).
TWILIO_READ_ATTEMPTS = 4
# Seconds from the first try within which a retry must start (its wait included):
# staff are waiting. A timeout longer than this (TWILIO_HTTP_TIMEOUT) is not tried again.
TWILIO_READ_BUDGET_SECONDS = 6.0
# Wait before the first retry when Twilio gives no Retry-After; doubles each retry.
TWILIO_READ_RETRY_BASE_SECONDS = 0.5
# Twilio's Retry-After is honoured up to this many seconds.
TWILIO_READ_RETRY_AFTER_CAP_SECONDS = 2.0

# Courier pairings: minutes the customer has to answer the invite (the start form
# can change it per pairing); after that the pairing expires and its conversation
# is closed, which frees both number pairs for the next pairing.
PAIRING_REPLY_TIMEOUT_MINUTES = env.int("PAIRING_REPLY_TIMEOUT_MINUTES", default=30)

# Clienteling: a customer who wrote last and got no answer for this many minutes "needs
# reply" (the advisor's inbox and the home page's panel).
CLIENTELING_NEEDS_REPLY_MINUTES = env.int("CLIENTELING_NEEDS_REPLY_MINUTES", default=30)

# Consent (issue 20): single-word messages, any case, trimmed, as Twilio matches them. The
# defaults are Twilio's own for long codes (docs/fidelity.md, "SMS opt-out"); add words in the
# customers' languages (e.g. ARRET, BAJA, ABMELDEN) with a comma-separated list.
CONSENT_OPT_OUT_KEYWORDS = env.list(
    "CONSENT_OPT_OUT_KEYWORDS",
    default=["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"],
)
CONSENT_OPT_IN_KEYWORDS = env.list("CONSENT_OPT_IN_KEYWORDS", default=["START", "YES", "UNSTOP"])
CONSENT_HELP_KEYWORDS = env.list("CONSENT_HELP_KEYWORDS", default=["HELP", "INFO"])
# What the console answers on WhatsApp (on SMS Twilio answers STOP, START and HELP itself).
CONSENT_HELP_TEXT = env.str(
    "CONSENT_HELP_TEXT",
    default="You are talking to our customer service. Reply STOP to stop receiving messages, "
    "START to receive them again.",
)
CONSENT_OPT_OUT_CONFIRMATION = env.str(
    "CONSENT_OPT_OUT_CONFIRMATION",
    default="You will not receive any more messages from us here. Reply START to receive them again.",
)
CONSENT_OPT_IN_CONFIRMATION = env.str(
    "CONSENT_OPT_IN_CONFIRMATION",
    default="You will receive our messages here again. Reply STOP to stop them.",
)

# The bundled simulator is served under /simulator/ only when no real
# credentials are set; production.py removes it whatever the environment says.
if TWILIO_SIMULATED:
    INSTALLED_APPS.append("simulator")

# SIMULATOR (embedded): what the simulator reads when the console serves it. The
# standalone simulator declares the same names in config/settings/simulator.py, from
# SIMULATOR_* variables; these are not read from the environment, so the two never mix.
# Its own base URL; empty: the request's host plus /simulator, where the console mounts it.
SIMULATOR_PUBLIC_URL = ""
# Where the simulated account's post-event webhook first points; None: this console's PUBLIC_BASE_URL.
SIMULATOR_DEFAULT_WEBHOOK_BASE_URL = None
# Twilio's 30 actions/s per conversation and per service; 0 turns the limit off.
SIMULATOR_RATE_LIMIT = 30
# Seconds a webhook receiver gets to answer ("Conversations webhooks have a maximum timeout of 5 seconds").
SIMULATOR_WEBHOOK_TIMEOUT = 5.0
# Receipts arrive later, as on Twilio (docs/simulator.md, "Delivery and read receipts"):
# seconds on the simulator clock from `sent` to `delivered` (or failed/undelivered), and from
# `delivered` to `read` on WhatsApp (None: nobody reads). Short, so `make run` feels real.
SIMULATOR_DELIVERED_AFTER_SECONDS = 2.0
SIMULATOR_READ_AFTER_SECONDS = 6.0
# How often a process serving the simulator applies the receipt steps that came due.
SIMULATOR_RECEIPT_TICK_SECONDS = 0.5

# TASK QUEUE (django-q2)
# https://django-q2.readthedocs.io/en/master/configure.html
# timeout < retry, or a slow task is handed to a second worker while the
# first still runs. max_attempts bounds redelivery (0 would mean forever);
# the outbox sweep, not django-q2, owns retrying Twilio calls with backoff.
# save_limit=-1 keeps no success rows (the default 250 slows the ORM broker
# about 7x); failures are always kept. catch_up=False: a schedule missed
# while the cluster was down runs once, not once per missed slot.
Q_CLUSTER = {
    "name": "conversations_ops",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 60,
    "retry": 90,
    "max_attempts": 3,
    "save_limit": -1,
    "catch_up": False,
    "ack_failures": True,
    "poll": 0.2,
    "label": "Task queue",
}
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# MASKING (conversations_ops/masking.py)
# Numbers written in a national form ("(415) 555-0100", "0151 23456789") are recognised,
# and masked, for these regions (ISO 3166 codes): the countries customers and couriers
# write from. Numbers with "+" or a country code are recognised whatever this says.
NATIONAL_NUMBER_REGIONS = env.list("NATIONAL_NUMBER_REGIONS", default=["US", "GB", "DE"])

# LOGGING
# Every handler masks phone numbers (conversations_ops/logging_filters.py),
# Django's own two included: the dev server logs URLs (an admin search for a
# number is in its query string) and the error mails quote messages.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_phone_numbers": {"()": "conversations_ops.logging_filters.MaskPhoneNumbers"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_phone_numbers"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_phone_numbers"],
        },
        "mail_admins": {
            "class": "conversations_ops.error_reports.MaskedAdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "mask_phone_numbers"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's defaults (their handlers would not mask); records still reach the root's console.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # twilio-python logs URLs and query parameters at INFO: phone numbers.
        "twilio.http_client": {"level": "WARNING"},
    },
}

# HEALTH AND METRICS (docs/monitoring.md)
# GET /health/ answers 503, naming the check, when one of these limits is passed (seconds).
# Workers beat when they start a task (at most every 30 s each) and through a schedule
# every minute (fired 60-90 s apart: django-q2's scheduler looks every 30 s); 120 s
# leaves room for a queue busy with long tasks (conversations_ops/health/heartbeat.py).
HEALTH_WORKER_HEARTBEAT_MAX_AGE = env.int("HEALTH_WORKER_HEARTBEAT_MAX_AGE", default=120)
# A push that is due (pending, next_attempt_at passed) and has waited longer than this.
HEALTH_OUTBOX_MAX_DUE_AGE = env.int("HEALTH_OUTBOX_MAX_DUE_AGE", default=600)
# A webhook event still waiting to be applied this long after it arrived.
HEALTH_INBOX_MAX_LAG = env.int("HEALTH_INBOX_MAX_LAG", default=300)
# How long the broker check waits for Redis to answer PING.
HEALTH_BROKER_TIMEOUT = env.float("HEALTH_BROKER_TIMEOUT", default=2.0)
# Prometheus metrics at /metrics: off (404) unless enabled. With a token set, a scrape
# must send `Authorization: Bearer <token>` (401 otherwise); without one, keep /metrics
# reachable only from the monitoring network.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=False)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="").strip()
