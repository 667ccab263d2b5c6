"""Procfile, Dockerfile and compose.yaml describe the same processes as `make serve`.

No container runtime can pull images here, so these files are checked for what
they say: the roles they start, the variables they pass, the files they copy.
"""

import re
import subprocess

import yaml

from config.env import BASE_DIR

ROLES = {"release", "web", "worker"}


def settings_variables() -> set[str]:
    """Every environment variable a settings module reads (env("X"), env.bool("X"), required("X"))."""
    names = set()
    for path in (BASE_DIR / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r'(?:env(?:\.\w+)?|required)\(\s*"([A-Z_]+)"', path.read_text()))
    return names


def test_the_procfile_runs_the_three_roles_of_the_serve_script():
    lines = dict(line.split(": ", 1) for line in (BASE_DIR / "Procfile").read_text().splitlines() if line)
    assert {name: command for name, command in lines.items()} == {role: f"scripts/serve.sh {role}" for role in ROLES}


def test_the_serve_script_knows_exactly_those_roles():
    refused = subprocess.run([str(BASE_DIR / "scripts" / "serve.sh"), "nonsense"], capture_output=True, text=True)
    assert refused.returncode == 2
    assert "usage" in refused.stderr and all(role in refused.stderr for role in ROLES)


def test_compose_runs_the_same_roles_on_postgresql_and_redis():
    compose = yaml.safe_load((BASE_DIR / "compose.yaml").read_text())
    services = compose["services"]
    commands = {name: service.get("command") for name, service in services.items()}
    assert {name: commands[name] for name in ROLES} == {role: ["scripts/serve.sh", role] for role in ROLES}
    assert services["db"]["image"].startswith("postgres:") and services["redis"]["image"].startswith("redis:")
    for role in ("web", "worker"):
        assert services[role]["depends_on"]["release"]["condition"] == "service_completed_successfully"
        assert services[role]["build"] == "."
    environment = services["web"]["environment"]
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert environment["DATABASE_URL"].startswith("postgres://") and environment["REDIS_URL"].startswith("redis://")
    # Every variable compose passes is one the settings read; every required one is passed.
    assert set(environment) - {"DJANGO_SETTINGS_MODULE", "FORWARDED_ALLOW_IPS"} <= settings_variables()
    required = {"DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"}
    assert required <= set(environment)
    for name in required:  # no default: compose refuses to start without them
        assert f"${{{name}:?" in environment[name]


def test_the_image_installs_the_runtime_requirements_and_serves_the_web_role():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", dockerfile, re.M)
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M), "the console does not run as root"
    assert 'CMD ["scripts/serve.sh", "web"]' in dockerfile
    assert "/health/" in dockerfile
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".venv", ".env", ".git"} <= set(ignored)
