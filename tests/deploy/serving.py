"""Runs scripts/serve.sh roles in child processes with production settings."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from config.env import BASE_DIR
from tests.helpers.production import PRODUCTION_ENV

SERVE = str(BASE_DIR / "scripts" / "serve.sh")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path, port: int, **extra) -> dict:
    """The environment a deployment gives: production settings, its own database and static root."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWILIO_", "DJANGO_", "PUBLIC_", "PORT", "DATABASE_URL", "REDIS_URL", "STATIC_ROOT"))
    }
    return {
        **clean,
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "PYTHON": sys.executable,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'console.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        **extra,
    }


def release(env) -> subprocess.CompletedProcess:
    return subprocess.run([SERVE, "release"], env=env, capture_output=True, text=True, timeout=180)


def start(role: str, env, log_path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process by stop()
    process = subprocess.Popen([SERVE, role], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    process.log = log
    return process


def stop(process: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 30) -> int | None:
    """Signals the process group; kills it if it has not ended in `timeout` seconds. Its exit code."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    process.log.close()
    return process.returncode


def get(url: str, headers: dict | None = None, timeout: float = 10):
    """(status, headers, body bytes), without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            get(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing answered at {url} within {seconds} s")
