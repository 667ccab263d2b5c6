"""The test suite: fast hashing, tasks run inline, the simulated Twilio account."""

from .base import *  # noqa: F403
from .base import PORT, Q_CLUSTER, env

SECRET_KEY = "test-only-secret-key-not-used-anywhere-else-0123456789"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# async_task runs in the calling process; tests that need a real cluster
# start one themselves.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}

# Tests never reach the real Twilio: credentials are the simulator's, even if
# the shell running pytest exports real ones.
TWILIO_SIMULATED = True
TWILIO_ACCOUNT_SID = SIMULATOR_ACCOUNT_SID  # noqa: F405
TWILIO_AUTH_TOKEN = SIMULATOR_AUTH_TOKEN  # noqa: F405
TWILIO_API_BASE_URL = f"http://127.0.0.1:{PORT}/simulator"
PUBLIC_BASE_URL = "http://testserver"
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=5.0)
