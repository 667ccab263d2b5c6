"""A conversation's transcript: both parties, templates rendered, media, receipts explained, masked numbers."""

import json

import pytest
from django.urls import reverse

from conversations_ops.models import Message
from conversations_ops.selectors import history as history_selectors
from tests.helpers.ids import CUSTOMER_WHATSAPP, make_sid
from tests.history.helpers import export_url

pytestmark = pytest.mark.django_db


def transcript_url(conversation):
    return reverse("admin:conversations_ops_conversation_transcript", args=[conversation.pk])


def test_the_transcript_shows_who_wrote_what_with_templates_media_and_receipts(auditor, history):
    response = auditor.get(transcript_url(history.order))
    assert response.status_code == 200
    page = response.content.decode()
    assert [row.message.sid for row in response.context["rows"]] == [
        history.invite.sid,
        history.customer_reply.sid,
        history.courier_photo.sid,
        history.agent_note.sid,
        history.system_notice.sid,
    ]  # index order
    who = [row.who for row in response.context["rows"]]
    assert who == [
        "console (invite template, to the customer)",
        "customer (whatsapp:+15•••••2661)",
        "courier (+49•••••6789)",
        "agent (ops-ana)",
        "system",
    ]
    assert "Template courier_invite (" + make_sid("HX") + ")" in page
    assert "Hello Robert, your courier is here." in page
    assert "door.jpg" in page and "image/jpeg" in page
    assert "customer whatsapp:+15•••••2661: <strong>failed</strong> · error 63016" in page
    assert "Outside the WhatsApp 24-hour window" in page and "WhatsApp only delivers free-form" in page
    assert "courier +49•••••6789: <strong>undelivered</strong> · error 30003" in page
    assert "customer whatsapp:+15•••••2661: <strong>read</strong>" in page  # every receipt, not only failures
    assert CUSTOMER_WHATSAPP not in page and "+15017122661" not in page


def test_full_numbers_with_the_permission(full_auditor, history):
    page = full_auditor.get(transcript_url(history.order)).content.decode()
    assert f"customer ({CUSTOMER_WHATSAPP})" in page and "call me on +15017122661" in page


def test_a_long_conversation_shows_the_newest_page_and_older_on_request(auditor, history, monkeypatch):
    monkeypatch.setattr(history_selectors, "TRANSCRIPT_PAGE", 2)
    pending = Message.objects.create(conversation=history.order, body="Queued, not on Twilio yet")
    newest = auditor.get(transcript_url(history.order))
    assert [r.message.index for r in newest.context["rows"]] == [3, 4, None]
    assert [r.message.pk for r in newest.context["rows"]][-1] == pending.pk
    assert newest.context["older_url"] == "?before=3"
    older = auditor.get(transcript_url(history.order) + "?before=3")
    assert [r.message.index for r in older.context["rows"]] == [1, 2]
    oldest = auditor.get(transcript_url(history.order) + older.context["older_url"])
    assert [r.message.index for r in oldest.context["rows"]] == [0] and oldest.context["older_url"] == ""


def test_the_conversation_page_links_its_transcript(admin_client, history):
    page = admin_client.get(
        reverse("admin:conversations_ops_conversation_change", args=[history.order.pk])
    ).content.decode()
    assert transcript_url(history.order) in page
    assert f"?conversation__id__exact={history.order.pk}" in page


def test_the_transcript_offers_its_export_to_those_allowed(auditor, ops, history):
    page = auditor.get(transcript_url(history.order)).content.decode()
    assert f"{export_url('csv')}?conversation__id__exact={history.order.pk}" in page
    query = auditor.get(transcript_url(history.order)).context["export_query"]
    exported = json.loads(b"".join(auditor.get(export_url("json") + query).streaming_content))
    assert [row["index"] for row in exported] == [0, 1, 2, 3, 4]  # the conversation, oldest first
    ops_page = ops.get(transcript_url(history.order))
    assert ops_page.status_code == 200 and export_url("csv") not in ops_page.content.decode()


def test_the_transcript_needs_the_view_permission(client, django_user_model, history):
    user = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(transcript_url(history.order)).status_code == 403
    assert client.get(reverse("admin:conversations_ops_conversation_transcript", args=[999999])).status_code == 403
