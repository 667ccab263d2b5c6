import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from conversations_ops.admin.base import LimitedInlineFormSet
from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    Participant,
    SyncOperation,
    WebhookEvent,
)
from tests.helpers.ids import make_sid

pytestmark = pytest.mark.django_db


@pytest.fixture
def webhook_event(db):
    return WebhookEvent.objects.create(
        source="conversations",
        event_type="onMessageAdded",
        dedup_key="onMessageAdded:" + make_sid("IM"),
        params=[["EventType", ["onMessageAdded"]], ["Body", ["Hi"]]],
        conversation_sid=make_sid("CH"),
    )


@pytest.fixture
def sync_operation(conversation):
    return SyncOperation.objects.create(
        content_type=ContentType.objects.get_for_model(conversation),
        object_id=conversation.pk,
        operation="conversation.create",
        ordering_key="conversation:1",
        result_sid=conversation.sid,
    )


ROW_FIXTURES = [
    "address_configuration",
    "conversation",
    "participant",
    "conversation_webhook",
    "message",
    "delivery_receipt",
    "template",
    "webhook_event",
    "sync_operation",
]
EDITABLE = ["address_configuration", "conversation", "participant", "conversation_webhook", "message", "template"]
READ_ONLY = ["delivery_receipt", "webhook_event", "sync_operation"]


def _empty_inlines():
    prefixes = ("participants", "webhooks")
    return {f"{p}-{k}": v for p in prefixes for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()}


def admin_url(obj, view, *args):
    return reverse(f"admin:conversations_ops_{obj._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("fixture", ROW_FIXTURES)
def test_changelist_lists_the_row(admin_client, request, fixture):
    obj = request.getfixturevalue(fixture)
    response = admin_client.get(admin_url(obj, "changelist"))
    assert response.status_code == 200
    assert obj in response.context["cl"].result_list


@pytest.mark.parametrize("fixture", ROW_FIXTURES)
def test_change_page_opens(admin_client, request, fixture):
    obj = request.getfixturevalue(fixture)
    response = admin_client.get(admin_url(obj, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize("fixture", EDITABLE)
def test_add_page_opens(admin_client, request, fixture):
    model = type(request.getfixturevalue(fixture))
    response = admin_client.get(reverse(f"admin:conversations_ops_{model._meta.model_name}_add"))
    assert response.status_code == 200


@pytest.mark.parametrize("fixture", READ_ONLY)
def test_read_only_admins_refuse_add_and_edit(admin_client, request, fixture):
    obj = request.getfixturevalue(fixture)
    assert admin_client.get(admin_url(obj, "add")).status_code == 403
    response = admin_client.get(admin_url(obj, "change", obj.pk))
    assert response.context["has_change_permission"] is False
    assert admin_client.post(admin_url(obj, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(
    ("fixture", "term"),
    [
        ("conversation", make_sid("CH")),
        ("conversation", "order-a"),
        ("participant", "whatsapp:+15017122661"),
        ("participant", make_sid("CH")),
        ("message", make_sid("CH")),
        ("address_configuration", "whatsapp:+1415"),
        ("template", "courier_"),
        ("webhook_event", make_sid("CH")),
        ("delivery_receipt", make_sid("IM")),
        ("sync_operation", "conversation:1"),
    ],
)
def test_search_finds_the_row(admin_client, request, fixture, term):
    obj = request.getfixturevalue(fixture)
    response = admin_client.get(admin_url(obj, "changelist"), {"q": term})
    assert list(response.context["cl"].result_list) == [obj]


@pytest.mark.parametrize(("fixture", "term"), [("conversation", "a123"), ("participant", "15017122661")])
def test_search_does_not_scan_for_substrings(admin_client, request, fixture, term):
    """Search is exact or prefix only, so it stays on an index on big tables."""
    obj = request.getfixturevalue(fixture)
    response = admin_client.get(admin_url(obj, "changelist"), {"q": term})
    assert list(response.context["cl"].result_list) == []


def test_sync_fields_are_read_only_on_the_form(admin_client, conversation):
    response = admin_client.get(admin_url(conversation, "change", conversation.pk))
    form_fields = response.context["adminform"].form.fields
    assert "unique_name" in form_fields
    assert not {"sid", "sync_state", "last_synced_at", "last_sync_error"} & set(form_fields)


def test_add_conversation_through_the_admin_starts_pending(admin_client):
    response = admin_client.post(
        reverse("admin:conversations_ops_conversation_add"),
        {"unique_name": "order-b7", "attributes": "{}", "state": "active", **_empty_inlines()},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    conversation = Conversation.objects.get(unique_name="order-b7")
    assert (conversation.sid, conversation.sync_state) == ("", "pending")


def test_admin_form_shows_clean_errors_on_the_field(admin_client):
    response = admin_client.post(
        reverse("admin:conversations_ops_addressconfiguration_add"),
        {"type": "whatsapp", "address": "+14155550100", "auto_creation_webhook_filters": "[]"},
    )
    assert response.status_code == 200
    assert "address" in response.context["adminform"].form.errors
    assert not AddressConfiguration.objects.exists()


def test_conversation_page_shows_its_participants_newest_first_up_to_the_limit(admin_client, conversation, monkeypatch):
    monkeypatch.setattr(LimitedInlineFormSet, "max_shown", 2)
    for n in range(3):
        Participant.objects.create(conversation=conversation, identity=f"agent{n}")
    response = admin_client.get(admin_url(conversation, "change", conversation.pk))
    shown = [form.instance.identity for form in response.context["inline_admin_formsets"][0].formset.forms]
    assert shown == ["agent2", "agent1"]


def test_message_page_shows_receipts(admin_client, delivery_receipt):
    message = delivery_receipt.message
    response = admin_client.get(admin_url(message, "change", message.pk))
    assert delivery_receipt.sid in response.content.decode()


def test_conversation_edit_saves_with_its_read_only_participants(admin_client, participant):
    conversation = participant.conversation
    inline_data = {
        "participants-TOTAL_FORMS": "1",
        "participants-INITIAL_FORMS": "1",
        "participants-0-id": str(participant.pk),
        "participants-0-conversation": str(conversation.pk),
        "webhooks-TOTAL_FORMS": "0",
        "webhooks-INITIAL_FORMS": "0",
    }
    response = admin_client.post(
        admin_url(conversation, "change", conversation.pk),
        {
            "unique_name": conversation.unique_name,
            "friendly_name": "Renamed",
            "state": "closed",
            "attributes": "{}",
            **inline_data,
        },
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert (conversation.friendly_name, conversation.state) == ("Renamed", "closed")
    assert conversation.participants.get() == participant
