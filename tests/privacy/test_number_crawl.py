"""The number crawl (issue 18, item 2): with whole numbers written into every text field of every
console model (names, attributes, payloads, WaId, Twilio's errors, log entries...), staff of each
role without "view full numbers" follow every link of the admin, open every list, change page,
history, delete page, transcript and export, and never meet a whole number in any form; nor in
the admin's messages after an action Twilio refused, the shell commands' output, an error e-mail
or a log line. Staff with "view full numbers" still see them whole."""

import json
import logging
import re
from collections import Counter
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from conversations_ops.admin.masked import MaskedFieldsMixin, MaskedInlineMixin
from conversations_ops.twilio.gateway import GatewayError
from tests.privacy.numbers import SEED_TEXT, WHOLE, leak_context, whole_numbers_in
from tests.roles.staff import AUDITOR, OPS, SUPPORT, client_for, staff_user

pytestmark = pytest.mark.django_db

ROLES = (SUPPORT, OPS, AUDITOR)
# Links not followed: they end the session or change something on a GET-less form.
SKIPPED = ("/admin/logout/", "/admin/password_change/", "/admin/jsi18n/")
# Query-string variants of one path visited (filters and orderings repeat the same rows).
VARIANTS_PER_PATH = 3
HREF = re.compile(r'href="([^"#]+)"')


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _start_urls(rows) -> list[str]:
    """Every registered admin's list and the pages of each seeded_rows row, and what no link may lead to."""
    urls = ["/admin/"]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        urls.append(reverse(f"{base}_changelist"))
        for pk in model_admin.model.objects.values_list("pk", flat=True)[:3]:
            urls += [reverse(f"{base}_change", args=[pk]), reverse(f"{base}_history", args=[pk])]
            urls.append(reverse(f"{base}_delete", args=[pk]))
    urls += [
        reverse("admin:conversations_ops_message_export", args=["csv"]),
        reverse("admin:conversations_ops_message_export", args=["json"]),
        reverse("admin:conversations_ops_conversation_send", args=[rows.conversation.pk]),
    ]
    return urls


def crawl(client, start: list[str], *, limit: int = 600):
    """Visits the start pages and every /admin/ link they lead to; yields (url, status, text)."""
    queue, seen, per_path = list(start), set(start), Counter()
    while queue and len(seen) <= limit:
        url = queue.pop(0)
        response = client.get(url)
        text = _text(response) if response.status_code == 200 else ""
        yield url, response.status_code, text
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(text):
            link = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(link)
            if parts.netloc or not parts.path.startswith("/admin/") or parts.path.startswith(SKIPPED):
                continue
            if link in seen or (parts.query and per_path[parts.path] >= VARIANTS_PER_PATH):
                continue
            per_path[parts.path] += bool(parts.query)
            seen.add(link)
            queue.append(link)


def test_every_model_and_admin_is_seeded_and_masks(seeded_rows):
    """The crawl covers what is registered: every admin (and inline) masks text by the one rule."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "conversations_ops" and model is not LogEntry:
            continue  # Django's users and groups: no customer's number in them
        assert isinstance(model_admin, MaskedFieldsMixin), f"{model.__name__}'s admin does not mask numbers"
        for inline in model_admin.inlines:
            assert issubclass(inline, MaskedInlineMixin), f"{inline.__name__} does not mask numbers"


@pytest.mark.parametrize("role", ROLES)
@override_settings(TWILIO_READ_ATTEMPTS=1)  # pages that read Twilio (nothing answers here) fail at once
def test_no_page_or_export_shows_a_whole_number(seeded_rows, staff, role):
    client = staff(role)
    leaks, visited, shown = [], 0, 0
    for url, status, text in crawl(client, _start_urls(seeded_rows)):
        assert status < 500, f"{url} answered {status}"
        visited += 1
        shown += status == 200
        if whole_numbers_in(text):
            leaks.append(f"{url}: …{leak_context(text)}…")
    assert shown > 40, f"only {shown} of {visited} pages could be read as {role}: the crawl saw little"
    assert not leaks, f"whole numbers shown to {role}:\n" + "\n".join(leaks)


def test_view_full_numbers_still_sees_them_whole(seeded_rows):
    user = staff_user(OPS, username="ops_lead")
    user.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))
    client = client_for(user)
    for url in (
        reverse("admin:conversations_ops_conversation_change", args=[seeded_rows.conversation.pk]),
        reverse("admin:conversations_ops_webhookevent_change", args=[seeded_rows.webhookevent.pk]),
        reverse("admin:conversations_ops_conversation_changelist"),
    ):
        assert set(whole_numbers_in(_text(client.get(url)))) == set(WHOLE), url


def test_a_twilio_refusal_quoting_a_number_is_masked_in_the_admin_message(seeded_rows, staff, monkeypatch):
    def refused(**kwargs):
        raise GatewayError(status=400, code=50416, message=f"Participant whatsapp:{SEED_TEXT} is already in it")

    monkeypatch.setattr("conversations_ops.pull.runner.pull_conversation", refused)
    client = staff(OPS)
    response = client.post(
        reverse("admin:conversations_ops_participant_changelist"),
        {"action": "pull_from_twilio", "_selected_action": [seeded_rows.participant.pk]},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert any("50416" in line or "Twilio" in line for line in shown), shown
    assert not whole_numbers_in(" ".join(shown) + _text(response)), shown


def test_admin_messages_are_masked_for_their_reader_only(seeded_rows, staff, rf):
    from django.contrib.messages import get_messages

    from conversations_ops.admin.masked import MaskedMessageStorage

    for user, masked in ((staff_user(AUDITOR, username="aud2"), True), (_superuser(), False)):
        request = rf.get("/admin/")
        request.user, request.session = user, {}
        request._messages = MaskedMessageStorage(request)
        request._messages.add(logging.ERROR, f"Twilio refused {SEED_TEXT}")
        text = " ".join(str(m) for m in get_messages(request))
        assert bool(whole_numbers_in(text)) is not masked


def _superuser():
    from django.contrib.auth.models import User

    return User.objects.create_superuser("root", password="a-long-test-password")


def _run(*args) -> str:
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        return f"{out.getvalue()}{err.getvalue()}{exc}"
    return out.getvalue() + err.getvalue()


@pytest.mark.parametrize("role", ROLES)
def test_command_output_shows_no_whole_number(seeded_rows, staff, role, monkeypatch):
    username = role.lower()
    staff_user(role, username=username) if not _exists(username) else None
    pairing = str(seeded_rows.pairing.pk)
    outputs = {
        "pairing show": _run("pairing", "show", pairing, "--as", username),
        "pairing show --json": _run("pairing", "show", pairing, "--json", "--as", username),
        "pairing show (nobody named)": _run("pairing", "show", pairing),
    }

    def refused(**kwargs):
        raise GatewayError(status=400, code=20003, message=f"Refused for {SEED_TEXT}")

    monkeypatch.setattr("conversations_ops.management.commands.twilio_pull.twilio_pull", refused)
    outputs["twilio_pull refused"] = _run("twilio_pull")
    for name, text in outputs.items():
        assert text.strip(), name
        assert not whole_numbers_in(text), f"{name}: …{leak_context(text)}…"


def test_command_output_is_whole_for_view_full_numbers(seeded_rows):
    user = staff_user(OPS, username="ops_lead")
    user.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))
    text = _run("pairing", "show", str(seeded_rows.pairing.pk), "--json", "--as", "ops_lead")
    assert set(whole_numbers_in(text)) == set(WHOLE)
    assert json.loads(text)["customer"] == seeded_rows.pairing.customer_address


def _exists(username: str) -> bool:
    from django.contrib.auth.models import User

    return User.objects.filter(username=username).exists()


@override_settings(ROOT_URLCONF="tests.privacy.urls", ADMINS=[("Ops lead", "lead@example.com")], DEBUG=False)
def test_an_error_e_mail_shows_no_whole_number(seeded_rows, client):
    client.raise_request_exception = False
    response = client.post(
        "/boom/?To=whatsapp%3A%2B15017122661&WaId=15017122661",
        {"From": "whatsapp:+4915123456789", "Body": SEED_TEXT},
    )
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    html = "".join(content for content, kind in getattr(sent, "alternatives", []) if kind == "text/html")
    assert "Twilio refused" in sent.body  # the report is there, numbers masked
    for part, text in (("subject", sent.subject), ("text", sent.body), ("html", html)):
        assert not whole_numbers_in(text), f"{part}: …{leak_context(text)}…"


def test_log_lines_show_no_whole_number():
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console")
    stream = StringIO()
    previous = handler.setStream(stream)
    logger = logging.getLogger("conversations_ops.privacy_test")
    try:
        logger.warning("Twilio refused %s", SEED_TEXT)
        logger.warning({"WaId": "15017122661", "From": "whatsapp:+15017122661"})
        try:
            raise ValueError(f"Participant {SEED_TEXT}")
        except ValueError:
            logger.exception("Push failed for %s", "(501) 712-2661")
    finally:
        handler.setStream(previous)
    text = stream.getvalue()
    assert "Twilio refused" in text and "Push failed" in text
    assert not whole_numbers_in(text), f"…{leak_context(text)}…"
