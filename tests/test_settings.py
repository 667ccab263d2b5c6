"""Settings as each environment builds them, read in a fresh process."""

import json
import os

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests.helpers.production import PRODUCTION_ENV, run

READ_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ['TWILIO_SIMULATED', 'TWILIO_API_BASE_URL', "
    "'PUBLIC_BASE_URL', 'TWILIO_ACCOUNT_SID', 'DEBUG']}))"
)


def read_settings(module, **env):
    result = run(["-c", READ_SETTINGS], module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow  # a fresh process
def test_production_passes_check_deploy_with_a_realistic_environment(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        "config.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow  # a fresh process
@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_secret_or_setting(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run(["manage.py", "check"], "config.settings.production", **env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.slow  # a fresh process
def test_production_never_runs_simulated():
    assert read_settings("config.settings.production", **PRODUCTION_ENV)["TWILIO_SIMULATED"] is False


@pytest.mark.slow  # a fresh process
def test_without_credentials_urls_are_derived_from_port():
    values = read_settings("config.settings.local", PORT="9123")
    assert values["TWILIO_SIMULATED"] is True
    assert values["TWILIO_API_BASE_URL"] == "http://127.0.0.1:9123/simulator"
    assert values["PUBLIC_BASE_URL"] == "http://127.0.0.1:9123"
    assert values["TWILIO_ACCOUNT_SID"].startswith("AC") and len(values["TWILIO_ACCOUNT_SID"]) == 34


@pytest.mark.slow  # a fresh process
def test_explicit_urls_win_over_the_derived_ones():
    values = read_settings(
        "config.settings.local",
        PORT="9123",
        TWILIO_API_BASE_URL="http://sim.local:7000/simulator/",
        PUBLIC_BASE_URL="https://tunnel.example.com",
    )
    assert values["TWILIO_API_BASE_URL"] == "http://sim.local:7000/simulator"
    assert values["PUBLIC_BASE_URL"] == "https://tunnel.example.com"


@pytest.mark.slow  # a fresh process
def test_real_credentials_switch_the_simulator_off():
    values = read_settings("config.settings.local", TWILIO_ACCOUNT_SID="AC" + "2" * 32, TWILIO_AUTH_TOKEN="t")
    assert values["TWILIO_SIMULATED"] is False
    assert values["TWILIO_API_BASE_URL"] == ""


@pytest.mark.slow  # a fresh process
def test_half_configured_credentials_are_an_error():
    result = run(["-c", READ_SETTINGS], "config.settings.local", TWILIO_ACCOUNT_SID="AC" + "2" * 32)
    assert result.returncode != 0
    assert "Set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in result.stderr


def test_task_queue_settings_are_safe():
    q = django_settings.Q_CLUSTER
    assert q["timeout"] < q["retry"]
    assert q["max_attempts"] > 0
    assert q["save_limit"] in (-1, 0) or q["save_limit"] <= 50
    assert q["catch_up"] is False
    assert ("redis" in q) == bool(os.environ.get("REDIS_URL"))
    assert ("orm" in q) != ("redis" in q)


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only settings; this pass runs on " + connection.vendor)
    options = django_settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    import sqlite3

    db = sqlite3.connect(tmp_path / "probe.sqlite3")
    mode = None
    for statement in options["init_command"].split(";"):
        if statement.strip():
            row = db.execute(statement).fetchone()
            mode = mode or (row and row[0])
    assert mode == "wal"


@pytest.mark.django_db(transaction=True)
def test_the_configured_broker_delivers_a_task():
    """Round trip through whichever broker this pass runs on (ORM or Redis)."""
    from django_q.brokers import get_broker

    broker = get_broker(list_key="settings-test")
    broker.purge_queue()
    broker.enqueue("payload-1")
    task = broker.dequeue()
    assert task, "the broker returned nothing"
    payload = task[0][1]
    # The Redis broker hands back bytes, the ORM broker text.
    assert (payload.decode() if isinstance(payload, bytes) else payload) == "payload-1"
    broker.acknowledge(task[0][0])
    assert broker.queue_size() == 0


@pytest.mark.slow  # a fresh process
def test_production_has_no_simulator_even_without_credentials_in_base():
    script = (
        "import django; django.setup(); from django.conf import settings\n"
        "from django.urls import resolve, Resolver404\n"
        "assert 'simulator' not in settings.INSTALLED_APPS, settings.INSTALLED_APPS\n"
        "try:\n    resolve('/simulator/')\nexcept Resolver404:\n    print('no simulator route')\n"
    )
    result = run(["-c", script], "config.settings.production", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no simulator route" in result.stdout


@pytest.mark.slow  # a fresh process
def test_simulated_local_settings_serve_the_simulator():
    script = (
        "import django; django.setup(); from django.conf import settings; print('simulator' in settings.INSTALLED_APPS)"
    )
    assert run(["-c", script], "config.settings.local").stdout.strip() == "True"
    real = run(["-c", script], "config.settings.local", TWILIO_ACCOUNT_SID="AC" + "2" * 32, TWILIO_AUTH_TOKEN="t")
    assert real.stdout.strip() == "False"


HARDENING = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in ['SESSION_COOKIE_AGE', 'SESSION_EXPIRE_AT_BROWSER_CLOSE', "
    "'SESSION_COOKIE_SAMESITE', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_SAMESITE', "
    "'CSRF_COOKIE_SECURE', 'CONSOLE_COMMANDS_REQUIRE_USER', 'AXES_FAILURE_LIMIT', 'AXES_LOCKOUT_PARAMETERS', "
    "'AUTHENTICATION_BACKENDS', 'MIDDLEWARE', 'DEFAULT_EXCEPTION_REPORTER_FILTER']} | "
    "{'AXES_COOLOFF_SECONDS': s.AXES_COOLOFF_TIME.total_seconds()}))"
)


def read_hardening(module, **env):
    result = run(["-c", HARDENING], module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow  # a fresh process
def test_production_sessions_logins_and_commands_are_hardened():
    values = read_hardening("config.settings.production", **PRODUCTION_ENV)
    assert values["SESSION_COOKIE_AGE"] == 8 * 60 * 60 and values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is values["CSRF_COOKIE_HTTPONLY"] is True
    # Five failures per username+address, a 15-minute lock; axes checks before the password does.
    assert (values["AXES_FAILURE_LIMIT"], values["AXES_COOLOFF_SECONDS"]) == (5, 15 * 60)
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert values["DEFAULT_EXCEPTION_REPORTER_FILTER"].endswith("ConsoleExceptionReporterFilter")
    assert values["CONSOLE_COMMANDS_REQUIRE_USER"] is True


@pytest.mark.slow  # a fresh process
def test_local_commands_need_no_user_unless_asked():
    assert read_hardening("config.settings.local")["CONSOLE_COMMANDS_REQUIRE_USER"] is False
    assert django_settings.CONSOLE_COMMANDS_REQUIRE_USER is False  # test settings: the README's commands as they are
    asked = read_hardening("config.settings.local", CONSOLE_COMMANDS_REQUIRE_USER="true")
    assert asked["CONSOLE_COMMANDS_REQUIRE_USER"] is True
