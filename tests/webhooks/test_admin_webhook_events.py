"""The webhook inbox in the admin: list, filters, SID search, the payload page,
links to the mirror, Reprocess, and the refused-request counters."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations_ops.models import Conversation, Message, Participant, ProcessingState, WebhookEvent, WebhookRejection
from tests.helpers.ids import make_sid

from .fixtures import fixture_pairs, post_fixture

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:conversations_ops_webhookevent_changelist")


def change_url(event):
    return reverse("admin:conversations_ops_webhookevent_change", args=[event.pk])


@pytest.fixture
def inbox(client):
    """A few real deliveries through the gate."""
    for name in (
        "conversations__onMessageAdded__media",
        "conversations__onParticipantAdded__whatsapp",
        "conversations__onDeliveryUpdated__failed_63016",
        "conversations__onMessageAdd__pre",
        "conversations__unknown__onMessageReactionAdded",
        "messaging__whatsapp",
        "status__failed",
    ):
        assert post_fixture(client, name).status_code == 200
    return {e.event_type: e for e in WebhookEvent.objects.all()}


def listed(admin_client, **query):
    response = admin_client.get(CHANGELIST, query)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_changelist_shows_the_columns_without_a_full_count(admin_client, inbox):
    response = admin_client.get(CHANGELIST)
    cl = response.context["cl"]
    assert len(cl.result_list) == len(inbox)
    assert cl.full_result_count is None  # show_full_result_count = False
    html = response.content.decode()
    for text in (
        "onDeliveryUpdated",
        "✓ SHA1",
        f'<code title="{inbox["onMessageAdded"].message_sid}">{inbox["onMessageAdded"].message_sid[:12]}…</code>',
        "Ignored",
    ):
        assert text in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "onMessageAdded"}, {"onMessageAdded"}),
        ({"type": "__other__"}, {"onMessageReactionAdded"}),
        ({"source__exact": "messaging"}, {"messaging.inbound"}),
        ({"source__exact": "status"}, {"message.status"}),
        ({"processing_state__exact": "ignored"}, {"onMessageAdd"}),
        (
            {"signature": "sha1"},
            {
                "onMessageAdded",
                "onParticipantAdded",
                "onDeliveryUpdated",
                "onMessageAdd",
                "onMessageReactionAdded",
                "messaging.inbound",
                "message.status",
            },
        ),
        ({"signature": "sha256"}, set()),
        ({"signature": "invalid"}, set()),
    ],
)
def test_filters(admin_client, inbox, query, expected):
    assert {e.event_type for e in listed(admin_client, **query)} == expected


def test_search_by_each_kind_of_sid(admin_client, inbox):
    added = inbox["onMessageAdded"]
    receipt_sid = dict(fixture_pairs("conversations__onDeliveryUpdated__failed_63016"))["DeliveryReceiptSid"]
    inbound = inbox["messaging.inbound"]
    cases = {
        added.message_sid: {"onMessageAdded"},
        added.message_sid[:10]: {"onMessageAdded"},
        # The WhatsApp customer: joined, wrote the media message, got the receipt.
        inbox["onParticipantAdded"].participant_sid: {"onParticipantAdded", "onMessageAdded", "onDeliveryUpdated"},
        receipt_sid: {"onDeliveryUpdated"},
        receipt_sid[:12]: {"onDeliveryUpdated"},
        inbound.message_sid: {"messaging.inbound"},
        "onMessageAdd": {"onMessageAdd"},
        "  " + added.message_sid + " ": {"onMessageAdded"},
    }
    for term, expected in cases.items():
        assert {e.event_type for e in listed(admin_client, q=term)} == expected, term
    conversation = added.conversation_sid
    assert len(listed(admin_client, q=conversation)) == 5  # every Conversations event of the fixtures' conversation


def test_search_is_never_a_substring_scan(admin_client, inbox):
    middle = inbox["onMessageAdded"].message_sid[5:20]
    assert listed(admin_client, q=middle) == []
    assert listed(admin_client, q="Hola") == []  # bodies are not searched
    assert listed(admin_client, q="IM") == []  # too short a prefix


@pytest.mark.parametrize("cut", [34, 12])
def test_search_is_one_equality_or_prefix_lookup_on_a_sid_column(admin_client, inbox, cut):
    term = inbox["onMessageAdded"].message_sid[:cut]
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(CHANGELIST, {"q": term})
    wheres = [
        q["sql"].split(" WHERE ", 1)[1]
        for q in queries.captured_queries
        if 'FROM "conversations_ops_webhookevent"' in q["sql"] and " WHERE " in q["sql"]
    ]
    assert wheres
    for where in wheres:
        assert '"message_sid"' in where
        assert '"params"' not in where and "LIKE '%" not in where
        assert ("LIKE" in where) == (cut < 34)


def test_change_page_lays_out_the_payload(admin_client, inbox):
    event = inbox["onMessageAdded"]
    response = admin_client.get(change_url(event))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<table class="webhook-params">' in html
    # The Media JSON, pretty-printed (one key per line), not the one-line string.
    assert "&quot;content_type&quot;: &quot;image/jpeg&quot;," in html
    assert "\n    &quot;filename&quot;: &quot;door.jpg&quot;," in html
    assert "<code>X-Twilio-Signature</code>" in html
    assert event.dedup_key in html
    assert "(empty)" in html  # Body is empty for a media-only message
    assert response.context["has_change_permission"] is False


def test_change_page_pretty_prints_attributes_and_escapes_values(admin_client, client):
    post_fixture(client, "conversations__onMessageAdded__chat_identity", Body="<script>alert(1)</script>")
    event = WebhookEvent.objects.get()
    html = admin_client.get(change_url(event)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;importance&quot;: &quot;high&quot;" in html
    assert "&quot;tags&quot;: [\n" in html


def test_change_page_links_to_the_mirrored_records(admin_client, inbox):
    event = inbox["onDeliveryUpdated"]
    conversation = Conversation.objects.create(sid=event.conversation_sid, unique_name="order-a123")
    participant = Participant.objects.create(
        conversation=conversation, sid=event.participant_sid, messaging_binding_type="whatsapp"
    )
    html = admin_client.get(change_url(event)).content.decode()
    assert reverse("admin:conversations_ops_conversation_change", args=[conversation.pk]) in html
    assert reverse("admin:conversations_ops_participant_change", args=[participant.pk]) in html
    assert f"<code>{event.message_sid}</code> (not in the mirror)" in html
    assert f"{CHANGELIST}?conversation_sid={event.conversation_sid}" in html


def test_change_page_of_an_event_without_sids(admin_client):
    event = WebhookEvent.objects.create(
        source="conversations",
        event_type="onConversationAdd",
        dedup_key="k",
        params=[["EventType", "onConversationAdd"]],
    )
    response = admin_client.get(change_url(event))
    assert response.status_code == 200


def test_message_link_when_the_mirror_has_it(admin_client, inbox):
    event = inbox["onMessageAdded"]
    conversation = Conversation.objects.create(sid=event.conversation_sid)
    message = Message.objects.create(conversation=conversation, sid=event.message_sid, index=5)
    html = admin_client.get(change_url(event)).content.decode()
    assert reverse("admin:conversations_ops_message_change", args=[message.pk]) in html


def test_the_admin_cannot_add_change_or_delete(admin_client, inbox):
    event = inbox["onMessageAdded"]
    assert admin_client.get(reverse("admin:conversations_ops_webhookevent_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:conversations_ops_webhookevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    response = admin_client.get(CHANGELIST)
    assert list(response.context["action_form"].fields["action"].choices)[1:] == [
        ("reprocess", "Reprocess (apply again)")
    ]


def _reprocess(admin_client, events):
    return admin_client.post(
        CHANGELIST, {"action": "reprocess", "_selected_action": [e.pk for e in events]}, follow=True
    )


def test_reprocess_action_requeues_and_applies_again(admin_client, inbox, django_capture_on_commit_callbacks):
    failed = inbox["onMessageAdded"]
    WebhookEvent.objects.filter(pk=failed.pk).update(
        processing_state=ProcessingState.FAILED, attempts=5, processing_error="OperationalError: database is locked"
    )
    unhandled = inbox["onMessageReactionAdded"]
    WebhookEvent.objects.filter(pk=unhandled.pk).update(processing_state=ProcessingState.UNHANDLED)
    pre = inbox["onMessageAdd"]

    with django_capture_on_commit_callbacks(execute=True):
        response = _reprocess(admin_client, [failed, unhandled, pre])

    text = [str(m) for m in response.context["messages"]]
    assert text == [
        "Reprocess: 2 events queued to be applied again; 1 pre-event skipped "
        "(answered to Twilio at the time; nothing to apply)."
    ]
    failed.refresh_from_db(), unhandled.refresh_from_db(), pre.refresh_from_db()
    assert failed.processing_state != ProcessingState.FAILED and failed.attempts == 1
    assert failed.processing_error == ""
    assert unhandled.processing_state == ProcessingState.UNHANDLED and unhandled.attempts == 1
    assert pre.processing_state == ProcessingState.IGNORED and pre.attempts == 0


def test_reprocess_needs_the_change_permission(inbox):
    viewer = User.objects.create_user("auditor", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_webhookevent"))
    client = Client()
    client.force_login(viewer)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["action_form"] is None or "reprocess" not in dict(
        response.context["action_form"].fields["action"].choices
    )
    event = inbox["onMessageAdded"]
    WebhookEvent.objects.filter(pk=event.pk).update(processing_state=ProcessingState.FAILED)
    client.post(CHANGELIST, {"action": "reprocess", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.processing_state == ProcessingState.FAILED


def test_refused_counters_are_shown_above_the_list(admin_client):
    today = timezone.localtime().replace(hour=10, minute=2, second=0, microsecond=0)
    WebhookRejection.objects.create(reason="bad_signature", count=3, last_at=today)
    WebhookRejection.objects.create(reason="malformed", count=1, last_at=today - timedelta(days=3))
    html = admin_client.get(CHANGELIST).content.decode()
    old = timezone.localtime(today - timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    assert f"Refused: 3 bad signatures (last 10:02), 1 malformed (last {old})" in html
    assert reverse("admin:conversations_ops_webhookrejection_changelist") in html


def test_refused_counters_count_real_refusals(admin_client, client):
    from conversations_ops.webhooks.recording import webhook_refusals_flush

    from .signing import signed_post

    signed_post(client, "conversations", fixture_pairs("conversations__onMessageAdded__text"), signature="x")
    webhook_refusals_flush()  # what the process's timer does within WEBHOOK_REFUSALS_FLUSH_SECONDS
    html = admin_client.get(CHANGELIST).content.decode()
    assert "Refused: 1 bad signature (last " in html


def test_no_refusals_yet(admin_client):
    assert "Refused: none" in admin_client.get(CHANGELIST).content.decode()


def test_rejection_counters_are_read_only(admin_client):
    row = WebhookRejection.objects.create(reason="too_large", count=2, last_at=timezone.now())
    url = reverse("admin:conversations_ops_webhookrejection_changelist")
    response = admin_client.get(url)
    assert row in response.context["cl"].result_list
    assert admin_client.get(reverse("admin:conversations_ops_webhookrejection_add")).status_code == 403
    change = admin_client.get(reverse("admin:conversations_ops_webhookrejection_change", args=[row.pk]))
    assert change.context["has_change_permission"] is False


def test_conversation_page_links_to_its_webhook_events(admin_client, inbox):
    sid = inbox["onMessageAdded"].conversation_sid
    conversation = Conversation.objects.create(sid=sid, unique_name="order-a123")
    html = admin_client.get(reverse("admin:conversations_ops_conversation_change", args=[conversation.pk])).content
    link = f'<a href="{CHANGELIST}?conversation_sid={sid}">Webhook events (5)</a>'
    assert link in html.decode()
    assert len(listed(admin_client, conversation_sid=sid)) == 5


def test_conversation_not_yet_on_twilio_has_no_events_link(admin_client):
    conversation = Conversation.objects.create(unique_name="draft")
    response = admin_client.get(reverse("admin:conversations_ops_conversation_change", args=[conversation.pk]))
    assert response.status_code == 200
    assert "Webhook events (" not in response.content.decode()


def test_legacy_params_shape_still_renders(admin_client):
    event = WebhookEvent.objects.create(
        source="conversations",
        event_type="onMessageAdded",
        dedup_key="legacy",
        conversation_sid=make_sid("CH"),
        params=[["EventType", ["onMessageAdded"]], ["Body", ["Hi"]], "odd"],
    )
    html = admin_client.get(change_url(event)).content.decode()
    assert "<code>Body</code>" in html and "Hi" in html
