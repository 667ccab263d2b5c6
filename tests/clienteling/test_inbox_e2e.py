"""Done-when (the inbox part): on the live simulator, through the real twilio SDK over HTTP. A handset
writes to a clienteling sender -> the advisor's inbox lists it (unread, waiting); the advisor replies
from the inbox -> the handset receives it, and a photo attached to a reply (uploaded to the
Media Content Service) too; 25 hours later the inbox offers only templates, refuses
free-form with the reason, and a template sent from it is delivered.

As in tests/messaging/test_window_e2e.py, the simulator's clock and the console's window clock
are moved together (both are Twilio's clock in production)."""

from datetime import timedelta
from io import StringIO

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conversations_ops.clienteling.selectors import customer_conversation
from conversations_ops.messaging import window as message_window
from conversations_ops.models import Customer, Participant, SyncState
from tests.helpers.clienteling import advisor
from tests.helpers.pairings import CUSTOMER
from tests.roles.staff import client_for

pytestmark = pytest.mark.slow


def _synced(conversation) -> bool:
    conversation.refresh_from_db()
    people = Participant.objects.filter(conversation=conversation)
    return bool(conversation.sid) and people.count() == 2 and not people.exclude(sync_state=SyncState.SYNCED).exists()


def _media_received(people, body: str) -> bool:
    answer = requests.get(f"{people.handset.control}/handsets/{CUSTOMER}", timeout=30).json()
    return any(m["body"] == body and m["media"] for m in answer["messages"] if m["direction"] == "received")


def test_an_advisors_day_in_the_inbox_on_the_simulator(seeded, people, monkeypatch):
    alice = advisor("alice")
    out = StringIO()
    call_command(
        "clienteling", "assign", "--customer", CUSTOMER, "--sender", seeded["sender"], "--advisor", "alice", stdout=out
    )
    customer = Customer.objects.get(pk=int(out.getvalue()))
    people.wait_until(lambda: _synced(customer_conversation(customer)), "the conversation on Twilio")
    page, inbox, url = client_for(alice), reverse("inbox:list"), reverse("inbox:customer", args=[customer.pk])

    people.write(CUSTOMER, "Do you have the blue coat in M?")

    row = page.get(inbox).context["rows"][0]
    assert (row.customer, row.preview, row.unread, row.last_inbound) == (
        customer,
        "Do you have the blue coat in M?",
        1,
        True,
    )
    assert row.window.free_form and row.window.label.startswith("Free-form until")

    opened = page.get(url)
    assert "Do you have the blue coat in M?" in opened.content.decode() and not opened.context["form"].templates_only
    sent = page.post(url, {"mode": "free_form", "body": "Yes, I kept one for you."})
    assert sent.status_code == 302, sent.content.decode()[-3000:]
    people.wait_until(lambda: "Yes, I kept one for you." in people.received(CUSTOMER), "the reply on the handset")
    assert page.get(inbox).context["rows"][0].unread == 0

    photo = SimpleUploadedFile("coat.jpg", b"\xff\xd8\xff\xe0 a blue coat", content_type="image/jpeg")
    assert page.post(url, {"mode": "free_form", "body": "This one", "media": photo}).status_code == 302
    people.wait_until(lambda: _media_received(people, "This one"), "the photo on the handset")

    people.handset.tick(25 * 3600)  # a day and an hour later, on both clocks
    monkeypatch.setattr(message_window, "window_now", lambda: timezone.now() + timedelta(hours=25))

    later = page.get(url)
    assert later.context["form"].templates_only and later.context["window"].label == "Template only"
    refused = page.post(url, {"mode": "free_form", "body": "Are you still interested?"})
    assert "Free-form is refused" in " ".join(refused.context["form"].non_field_errors())
    template = seeded["invite"]
    form = {"mode": "template", "template": template.pk, "var_1": "Robert", "var_2": "Alicia"}
    previewed = page.post(url, {**form, "action": "preview"})
    assert "Hello Robert" in previewed.context["preview"]
    assert page.post(url, {**form, "confirmed": "on", "action": "send"}).status_code == 302
    people.wait_until(
        lambda: any(body.startswith("Hello Robert") for body in people.received(CUSTOMER)),
        "the template on the handset",
    )
