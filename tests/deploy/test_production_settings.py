"""Production settings refuse to start on a missing OR empty required value.

An empty TWILIO_AUTH_TOKEN would be an empty signing key; an empty
DJANGO_SECRET_KEY signs sessions with nothing. Each is a start-up error that
names the variable, never a console that half works.
"""

import json

import pytest

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
    # Right after SecurityMiddleware (HTTPS redirect and HSTS first), before sessions and auth.
    assert values["middleware"][:2] == [
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
