"""Production requires the second factor unless told otherwise, and `check --deploy` says when it is off."""

import pytest

from tests.helpers.production import PRODUCTION_ENV, run

pytestmark = pytest.mark.slow  # each test starts manage.py or python in a fresh process

READ = "import django; django.setup(); from django.conf import settings as s; print(s.SECOND_FACTOR_REQUIRED)"


@pytest.mark.parametrize(
    ("module", "value", "expected"),
    [
        ("config.settings.production", None, "True"),
        ("config.settings.production", "false", "False"),
        ("config.settings.local", None, "False"),
        ("config.settings.test", "true", "False"),  # a developer's environment does not decide tests
    ],
)
def test_where_the_second_factor_is_required(module, value, expected, tmp_path):
    env = {**PRODUCTION_ENV} if module.endswith("production") else {}
    if value is not None:
        env["SECOND_FACTOR_REQUIRED"] = value
    result = run(["-c", READ], module, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_check_deploy_warns_when_production_turns_it_off(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        "config.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        **PRODUCTION_ENV,
        SECOND_FACTOR_REQUIRED="false",
    )
    assert result.returncode != 0
    assert "second_factor.W001" in result.stderr and "SECOND_FACTOR_REQUIRED is off" in result.stderr
