"""The test suite: fast hashing, tasks run inline, the simulated Twilio account."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, Q_CLUSTER, env

SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# async_task runs in the calling process; tests that need a real cluster
# start one themselves.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
# Under pytest-xdist (`make test`) each process's queue has a name of its own (the broker's list
# key): on the PostgreSQL pass's one Redis, the qcluster one process starts (tests/sync/cluster.py,
# whose settings read the same variable) never takes a task another process queued for its database.
if os.environ.get("PYTEST_XDIST_WORKER"):
    Q_CLUSTER["name"] = f"{Q_CLUSTER['name']}-{os.environ['PYTEST_XDIST_WORKER']}"

# A file, not :memory:, for the test database: the simulator's webhook
# threads, live servers and worker processes must all see the same data.
# One file per test run (child processes inherit the name through the
# environment), so two runs on one machine never share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.setdefault(
            "CONVERSATIONS_OPS_TEST_DB",
            os.path.join(tempfile.gettempdir(), f"conversations-ops-test-{os.getpid()}.sqlite3"),
        )
    }

# Live-server and simulator threads come and go; a persistent connection
# left in a finished thread would keep PostgreSQL from dropping the test DB.
DATABASES["default"]["CONN_MAX_AGE"] = 0

# Tests never reach the real Twilio: credentials are the simulator's, even if
# the shell running pytest exports real ones.
TWILIO_SIMULATED = True
if "simulator" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "simulator"]
TWILIO_ACCOUNT_SID = SIMULATOR_ACCOUNT_SID  # noqa: F405
TWILIO_AUTH_TOKEN = SIMULATOR_AUTH_TOKEN  # noqa: F405
# Tests that need Twilio start the live simulator (tests/plugins/simulator.py points this at it).
# Any other call must fail fast, never reach a developer's `make run` on PORT: port 9
# (discard) has no listener, so the connection is refused at once.
TWILIO_API_BASE_URL = "http://127.0.0.1:9/simulator"
PUBLIC_BASE_URL = "http://testserver"
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=5.0)

# The simulator's receipts are final before a message create answers (delivered at once) and
# nobody reads: the suite's assertions stay about the rule they test. Tests of asynchronous
# delivery turn delays on through the control API (POST _control/delivery).
SIMULATOR_DELIVERED_AFTER_SECONDS = 0.0
SIMULATOR_READ_AFTER_SECONDS = None

# Webhook events are applied inline (sync tasks) as soon as they are stored:
# every event wakes the inbox, and the inbox does not linger.
WEBHOOK_WAKE_INTERVAL_SECONDS = 0
WEBHOOK_DRAIN_LINGER_SECONDS = 0
# Nothing waits on a test's write gate: the drain does not pause for requests.
WEBHOOK_STEP_ASIDE_SECONDS = 0
# No timer writes refused-webhook counts in the background: a test that looks at them
# flushes first (webhooks.recording.webhook_refusals_flush), and each test starts from none.
WEBHOOK_REFUSALS_FLUSH_SECONDS = None

# Commands act as CONSOLE_USER when it is set (a developer's .env may set it): tests
# run the README's command lines as they are, and name a user with --as when they mean one.
os.environ.pop("CONSOLE_USER", None)
CONSOLE_COMMANDS_REQUIRE_USER = False

# Tests log in with force_login and a password only; a test that checks the second factor
# turns it on with override_settings (a developer's .env does not decide it).
SECOND_FACTOR_REQUIRED = False

# Log to the process's own stderr, not to whatever sys.stderr is when logging is
# set up: pytest swaps sys.stderr per test and closes the old one, and a live
# server's or the simulator's thread logging a moment later then hit a closed
# file ("--- Logging error ---"). pytest still captures the file descriptor.
for _handler in ("console", "django.server"):
    LOGGING["handlers"][_handler]["stream"] = "ext://sys.__stderr__"  # noqa: F405

# Static files come straight from the apps (no collectstatic before a test run):
# WhiteNoise looks them up per request, as under runserver.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
