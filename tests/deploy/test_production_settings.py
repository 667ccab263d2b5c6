"""Production settings refuse to start on a missing OR empty required value.

An empty TWILIO_AUTH_TOKEN would be an empty signing key; an empty
DJANGO_SECRET_KEY signs sessions with nothing. Each is a start-up error that
names the variable, never a console that half works.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from config.env import BASE_DIR
from tests.helpers.production import PRODUCTION_ENV, run

pytestmark = pytest.mark.slow  # every test starts manage.py or python in a fresh process

REQUIRED = ["DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL"]


@pytest.mark.parametrize("blank", ["", "   "], ids=["empty", "spaces"])
@pytest.mark.parametrize("name", REQUIRED)
def test_an_empty_required_value_is_a_startup_error_naming_it(name, blank):
    result = run(["manage.py", "check"], "config.settings.production", **{**PRODUCTION_ENV, name: blank})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert name in last_line
    # The Twilio pair: set one without the other is refused by the base settings first, in those words.
    assert "is not set or is empty" in last_line or "Set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in last_line
    # The refusal quotes no other secret.
    assert PRODUCTION_ENV["DJANGO_SECRET_KEY"] not in result.stderr
    assert PRODUCTION_ENV["TWILIO_AUTH_TOKEN"] not in result.stderr or name == "TWILIO_AUTH_TOKEN"


def test_a_signing_key_with_an_empty_secret_is_refused():
    result = run(
        ["manage.py", "check"],
        "config.settings.production",
        **PRODUCTION_ENV,
        TWILIO_WEBHOOK_SIGNING_KEYS="KS-one=secret-one,KS-two=",
    )
    assert result.returncode != 0
    assert "TWILIO_WEBHOOK_SIGNING_KEYS has an empty secret for KS-two" in result.stderr
    assert "secret-one" not in result.stderr


READ = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'storage': s.STORAGES['staticfiles']['BACKEND'], 'middleware': s.MIDDLEWARE, "
    "'hosts': s.ALLOWED_HOSTS, 'previous': s.TWILIO_PREVIOUS_AUTH_TOKEN, 'base': s.TWILIO_API_BASE_URL}))"
)


def test_production_serves_hashed_compressed_static_files_through_whitenoise():
    result = run(["-c", READ], "config.settings.production", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    # Right after SecurityMiddleware (HTTPS redirect and HSTS first), before sessions and auth;
    # only the malformed-header guard comes earlier (it must run before anything reads the body).
    assert values["middleware"][:3] == [
        "conversations_ops.request_guard.MalformedHeadersMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_production_may_point_at_a_standalone_simulator_and_keep_a_previous_token():
    result = run(
        ["-c", READ],
        "config.settings.production",
        **{
            **PRODUCTION_ENV,
            "ALLOWED_HOSTS": "ops.example.com, 127.0.0.1",
            "TWILIO_API_BASE_URL": "http://127.0.0.1:8001/",
            "TWILIO_PREVIOUS_AUTH_TOKEN": "old-token",
        },
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["hosts"] == ["ops.example.com", "127.0.0.1"]
    assert values["base"] == "http://127.0.0.1:8001"
    assert values["previous"] == "old-token"


SETUP = ["-c", "import django; django.setup()"]

# Issue 18, item 3: a secret that is a placeholder stops the start like an empty one (config.env.placeholder_reason,
# production.py's secret_check and secret_key_check). Each case starts the production settings in a fresh process.
RANDOM_KEY = "Zq8-Wv3_Rt6yUi1oP4aS7dF0gH2jK5lX9cV3bN6mQ1wE4rT7yU"
PLACEHOLDER_CASES = [
    ("DJANGO_SECRET_KEY", "change-me-to-50-random-characters", "placeholder"),  # .env.example's
    ("DJANGO_SECRET_KEY", "changeme", "placeholder"),
    ("DJANGO_SECRET_KEY", "a" * 60, "one character repeated"),
    ("DJANGO_SECRET_KEY", "django-insecure-" + RANDOM_KEY, "django-insecure-"),
    ("DJANGO_SECRET_KEY", RANDOM_KEY[:49], "too weak"),  # Django's check wants 50
    ("DJANGO_SECRET_KEY", "ab" * 30, "too weak"),  # ... and 5 different characters
    ("TWILIO_AUTH_TOKEN", "your-primary-auth-token", "placeholder"),  # .env.example's
    ("TWILIO_AUTH_TOKEN", "your_auth_token", "placeholder"),
    ("TWILIO_AUTH_TOKEN", "test", "placeholder"),
    ("TWILIO_AUTH_TOKEN", "CHANGEME", "placeholder"),
    ("TWILIO_AUTH_TOKEN", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "placeholder"),
    ("TWILIO_AUTH_TOKEN", "0" * 32, "one character repeated"),
    ("TWILIO_AUTH_TOKEN", "<your auth token>", "placeholder"),
    ("TWILIO_AUTH_TOKEN", "simulated-auth-token-not-a-secret", "simulator"),  # public: in this repository
    ("TWILIO_ACCOUNT_SID", "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "placeholder"),  # .env.example's
    ("TWILIO_ACCOUNT_SID", "ACbuild", "not an account SID"),
    ("TWILIO_PREVIOUS_AUTH_TOKEN", "changeme", "placeholder"),
    ("METRICS_TOKEN", "dummy", "placeholder"),
]


@pytest.mark.parametrize(
    ("name", "value", "reason"), PLACEHOLDER_CASES, ids=[f"{n}={v[:20]}" for n, v, _ in PLACEHOLDER_CASES]
)
def test_a_placeholder_secret_is_a_startup_error_naming_it(name, value, reason):
    result = run(SETUP, "config.settings.production", **{**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: " + name)
    assert reason in last_line
    assert value not in result.stderr  # the refusal never quotes the value


def test_a_signing_key_with_a_placeholder_secret_is_refused():
    result = run(
        SETUP,
        "config.settings.production",
        **PRODUCTION_ENV,
        TWILIO_WEBHOOK_SIGNING_KEYS="KS-one=Zq8Wv3Rt6yUi1oP4,KS-two=your-signing-key-secret",
    )
    assert result.returncode != 0
    assert "TWILIO_WEBHOOK_SIGNING_KEYS (KS-two) is a placeholder" in result.stderr
    assert "your-signing-key-secret" not in result.stderr and "Zq8Wv3Rt6yUi1oP4" not in result.stderr


def test_every_secret_of_env_example_is_refused_as_it_stands():
    """Copying .env.example to production without filling it in cannot start."""
    example = {}
    for line in (BASE_DIR / ".env.example").read_text().splitlines():
        name, sep, value = line.lstrip("# ").partition("=")
        if sep and name in ("DJANGO_SECRET_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
            example[name] = value.split("#")[0].strip()
    assert set(example) == {"DJANGO_SECRET_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"}
    for name, value in example.items():
        result = run(SETUP, "config.settings.production", **{**PRODUCTION_ENV, name: value})
        assert result.returncode != 0, name
        assert result.stderr.strip().splitlines()[-1].startswith(f"django.core.exceptions.ImproperlyConfigured: {name}")


def test_the_image_build_values_pass_the_production_settings():
    """The Dockerfile's collectstatic step loads production settings with throwaway values: random, so accepted."""
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    step = re.search(r"^RUN (DJANGO_SECRET_KEY=.*?)python manage\.py collectstatic", dockerfile, re.M | re.S).group(1)
    assignments = step.replace("\\\n", " ").replace("python -c", f"{sys.executable} -c")
    script = f"{assignments} DJANGO_SETTINGS_MODULE=config.settings.production {sys.executable} -c "
    script += "'import django; django.setup()'"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "DJANGO_", "PUBLIC_"))}
    result = subprocess.run(["bash", "-c", script], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
