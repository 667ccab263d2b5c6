"""The add forms ask only what matters and still create through the services (issue 21, item 3):
a participant's channel first and only that channel's fields, the conversation searched for, our
number picked from the account's senders; a conversation by its name, the rest folded."""

import pytest
from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse

from conversations_ops.models import Conversation, ConversationWebhook, Participant, SyncState
from conversations_ops.services.conversations import conversation_create
from tests.admin_forms.helpers import fieldsets
from tests.helpers.admin_forms import form_data, url
from tests.helpers.ids import BUSINESS_WHATSAPP
from tests.roles.staff import OPS, client_for, staff_user
from tests.services.helpers import ops_of

pytestmark = pytest.mark.django_db

PERSON = "+15017122661"  # typed alone: the form adds "whatsapp:"


@pytest.fixture
def ops(db):
    return client_for(staff_user(OPS))


def _participant_post(client, conversation, **fields):
    data = {
        "conversation": conversation.pk,
        "channel": "whatsapp",
        "role": "customer",
        "messaging_binding_address": "",
        "messaging_binding_proxy_address": "",
        "identity": "",
        "messaging_binding_projected_address": "",
        "attributes": "{}",
        "role_sid": "",
        **fields,
    }
    return client.post(url(Participant, "add"), data)


def test_the_participant_add_form_asks_the_channel_then_its_fields(ops):
    response = ops.get(url(Participant, "add"))
    blocks = fieldsets(response)
    assert blocks[0][2] == ["conversation", "channel", "role"]
    assert [(name, classes) for name, classes, _ in blocks[1:]] == [
        ("SMS or WhatsApp", ("channel-phone",)),
        ("Chat", ("channel-chat",)),
        ("More options", ("collapse",)),
    ]
    form = response.context["adminform"].form
    assert isinstance(form.fields["conversation"].widget.widget, AutocompleteSelect)  # searched, not a raw id
    assert form.fields["channel"].initial == "whatsapp"
    assert form["messaging_binding_address"].label == "Person's number"
    # The few lines of script that show the chosen channel's block only.
    assert "conversations_ops/participant_channel.js" in response.content.decode()


def test_a_conversation_webhook_names_its_conversation_by_search_too(ops):
    form = ops.get(url(ConversationWebhook, "add")).context["adminform"].form
    assert isinstance(form.fields["conversation"].widget.widget, AutocompleteSelect)


def test_the_conversation_is_found_by_its_name_through_the_autocomplete_closed_ones_left_out(ops, conversation):
    Conversation.objects.create(unique_name="order-zz", friendly_name="Elsewhere")
    Conversation.objects.create(unique_name="order-a9", friendly_name="Closed one", state="closed")
    response = ops.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "conversations_ops",
            "model_name": "participant",
            "field_name": "conversation",
            "term": "order-a",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [str(conversation)]


def test_a_whatsapp_person_is_added_by_their_number_alone_through_the_service(ops, conversation):
    response = _participant_post(
        ops,
        conversation,
        messaging_binding_address=PERSON,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
        identity="left-over",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    participant = Participant.objects.get(conversation=conversation)
    assert (participant.messaging_binding_address, participant.identity) == (f"whatsapp:{PERSON}", "")
    assert participant.messaging_binding_type == "whatsapp"
    assert [op.operation for op in ops_of(participant)] == ["participant.add"]


def test_a_chat_user_keeps_only_the_chat_fields(ops, conversation):
    response = _participant_post(
        ops,
        conversation,
        channel="chat",
        identity="agent.ana",
        messaging_binding_address=PERSON,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    participant = Participant.objects.get(conversation=conversation)
    assert (participant.identity, participant.messaging_binding_address, participant.messaging_binding_type) == (
        "agent.ana",
        "",
        "chat",
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"channel": "chat"}, "identity", "A chat participant needs their chat identity."),
        (
            {"messaging_binding_proxy_address": BUSINESS_WHATSAPP},
            "messaging_binding_address",
            "WhatsApp number is needed",
        ),
        (
            {"channel": "sms", "messaging_binding_address": f"whatsapp:{PERSON}"},
            "messaging_binding_address",
            "This is a WhatsApp address: choose WhatsApp above",
        ),
        # The pair on one channel is the model's rule, shown beside our number.
        (
            {
                "channel": "sms",
                "messaging_binding_address": PERSON,
                "messaging_binding_proxy_address": BUSINESS_WHATSAPP,
            },
            "messaging_binding_proxy_address",
            "Needs our sms business address",
        ),
    ],
)
def test_a_form_error_names_the_field(ops, conversation, fields, field, words):
    response = _participant_post(ops, conversation, **fields)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(words in message for message in errors.get(field, [])), errors
    assert not Participant.objects.exists()


def test_a_participant_change_form_keeps_its_fields_without_the_channel_question(admin_client, participant):
    response = admin_client.get(url(Participant, "change", participant.pk))
    assert "channel" not in response.context["adminform"].form.fields
    assert fieldsets(response)[0][2] == ["sync_status"]


def test_adding_a_conversation_by_its_name_queues_its_create_with_the_defaults(ops):
    data = form_data(ops.get(url(Conversation, "add")))
    response = ops.post(url(Conversation, "add"), {**data, "friendly_name": "Order B7"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    conversation = Conversation.objects.get(friendly_name="Order B7")
    assert (conversation.state, conversation.sid, conversation.sync_state) == ("active", "", SyncState.PENDING)
    assert [op.operation for op in ops_of(conversation)] == ["conversation.create"]


# Our number, from the account's senders (read from the live simulator) --------------------------


@pytest.mark.slow
def test_our_number_is_picked_from_the_accounts_senders_and_the_person_reaches_twilio(simulator, admin_client):
    from simulator.engine import owned

    owned.own(BUSINESS_WHATSAPP, "Deliveries")
    conversation = conversation_create(unique_name="order-s1")
    page = admin_client.get(url(Participant, "add"))
    field = page.context["adminform"].form.fields["messaging_binding_proxy_address"]
    assert isinstance(field, forms.ChoiceField)
    assert BUSINESS_WHATSAPP in [value for value, _ in field.choices]
    assert "WhatsApp whatsapp:+14155550100 (Deliveries)" in page.content.decode()

    response = _participant_post(
        admin_client, conversation, messaging_binding_address=PERSON, messaging_binding_proxy_address=BUSINESS_WHATSAPP
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    participant = Participant.objects.get(conversation=conversation)
    assert participant.sync_state == SyncState.SYNCED and participant.sid.startswith("MB")
