"""No page ever shows the Twilio auth token, a webhook signing key or SECRET_KEY: every admin list,
add and change page is searched for them, and Django's error pages hide them (settings and tracebacks)."""

import sys
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter

pytestmark = pytest.mark.django_db

TOKEN = "tok-7Hq2Zp9LmX4vB8nR"
SIGNING_KEY = "sign-3Kd8Wq1ZtY6uP0sE"
SECRET_KEY = "secret-key-9Vb4Nc7Xz2Lk5Jh8Gf3Ds6Aq1We0Rt-for-this-test-only"
SECRETS = (TOKEN, SIGNING_KEY, SECRET_KEY)


@pytest.fixture
def secrets(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_WEBHOOK_SIGNING_KEYS = {"SK" + "1" * 32: SIGNING_KEY}
    settings.SECRET_KEY = SECRET_KEY
    return SECRETS


@pytest.fixture
def superuser_client(secrets):
    client = Client()  # logged in after SECRET_KEY changed: the session is signed with it
    client.force_login(User.objects.create_superuser("root", password="a-long-test-password"))
    return client


def admin_pages(rows):
    """Every registered model's list and add page, and the change page of each row the tests made."""
    made = {type(row): row for row in vars(rows).values()}
    made[User] = User.objects.get(username="root")
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        yield reverse(f"{prefix}_changelist")
        yield reverse(f"{prefix}_add")
        if model in made:
            yield reverse(f"{prefix}_change", args=[made[model].pk])
    yield reverse("admin:index")
    yield reverse("admin:conversations_ops_conversation_send", args=[rows.conversation.pk])
    yield reverse("admin:conversations_ops_pairing_start")
    yield reverse("admin:conversations_ops_pairing_close", args=[rows.pairing.pk])
    yield reverse("admin:conversations_ops_template_submit", args=[rows.unsubmitted.pk])


def test_no_admin_page_shows_a_secret(superuser_client, rows):
    looked_at = 0
    for url in admin_pages(rows):
        response = superuser_client.get(url)
        assert response.status_code in (200, 302, 403), url
        html = response.content.decode()
        for secret in SECRETS:
            assert secret not in html, f"{url} shows a secret"
        looked_at += 1
    assert looked_at > 2 * len(admin.site._registry)


def _report(request) -> str:
    twilio_client = SimpleNamespace(username="AC...", password=django_settings.TWILIO_AUTH_TOKEN)  # noqa: F841
    signing = dict(django_settings.TWILIO_WEBHOOK_SIGNING_KEYS)  # noqa: F841
    try:
        raise RuntimeError("Twilio call failed")
    except RuntimeError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


@pytest.mark.parametrize("debug", [True, False])
def test_error_pages_hide_the_secrets_in_settings_and_tracebacks(rf, secrets, settings, debug):
    settings.DEBUG = debug
    html = _report(rf.get("/admin/"))
    assert "Twilio call failed" in html and "twilio_client" in html
    for secret in SECRETS:
        assert secret not in html


def test_the_settings_list_of_error_reports_is_cleansed(secrets, settings):
    from django.views.debug import get_default_exception_reporter_filter

    settings.REDIS_URL = "redis://:pa55word@127.0.0.1:6379/0"
    safe = get_default_exception_reporter_filter().get_safe_settings()
    hidden = get_default_exception_reporter_filter().cleansed_substitute
    for name in ("TWILIO_AUTH_TOKEN", "TWILIO_WEBHOOK_SIGNING_KEYS", "SECRET_KEY", "SIMULATOR_AUTH_TOKEN", "REDIS_URL"):
        assert safe[name] == hidden, name
    assert safe["TWILIO_ACCOUNT_SID"] == settings.TWILIO_ACCOUNT_SID  # not a secret: shown
