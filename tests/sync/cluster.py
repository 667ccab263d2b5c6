"""A real django-q2 cluster (qcluster) in its own process, and waiting on it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # The test database's own file (under xdist, pytest-django gives each process its own: `_gw0`).
        return f"sqlite:///{db['NAME']}"
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Cluster:
    """`manage.py qcluster` in its own process group, logging to a file."""

    def __init__(self, sim, log: Path):
        env = {k: v for k, v in os.environ.items() if k not in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.sync.qcluster_settings",
            DATABASE_URL=_database_url(),
            TWILIO_API_BASE_URL=sim.api_base,
            PUBLIC_BASE_URL=sim.url,
            DJANGO_DEBUG="false",
            # django-q2 signs queued tasks with the secret key: the same on both sides.
            DJANGO_SECRET_KEY=settings.SECRET_KEY,
        )
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=BASE_DIR,
            env=env,
            start_new_session=True,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)  # the cluster and every worker it forked
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def wait_for(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; cluster log:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
