import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    ConversationWebhook,
    DeliveryReceipt,
    Message,
    Participant,
    SyncOperation,
    SyncState,
    Template,
    WebhookEvent,
)
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP, COURIER_SMS, CUSTOMER_WHATSAPP, make_sid

pytestmark = pytest.mark.django_db


def clean_errors(obj) -> dict:
    """full_clean()'s errors by field; {} when the object is valid."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


def test_migrations_match_the_models():
    """The database gets its constraints from migrations, so they must not lag behind."""
    call_command("makemigrations", "conversations_ops", "--check", "--dry-run", verbosity=0)


# AddressConfiguration


def test_address_configuration_defaults_to_whatsapp_and_pending():
    config = AddressConfiguration.objects.create(address=BUSINESS_WHATSAPP)
    assert (config.type, config.sync_state, config.sid) == ("whatsapp", SyncState.PENDING, "")
    assert clean_errors(config) == {}


@pytest.mark.parametrize(
    ("type_", "address"),
    [("whatsapp", BUSINESS_SMS), ("whatsapp", "whatsapp:+491234"), ("sms", BUSINESS_WHATSAPP)],
)
def test_address_must_match_its_type(type_, address):
    assert list(clean_errors(AddressConfiguration(type=type_, address=address))) == ["address"]


def test_address_of_other_types_is_not_phone_checked():
    assert clean_errors(AddressConfiguration(type="email", address="support@example.com")) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"auto_creation_type": "webhook"}, "auto_creation_webhook_url"),
        ({"auto_creation_type": "studio"}, "auto_creation_studio_flow_sid"),
        (
            {
                "auto_creation_type": "webhook",
                "auto_creation_webhook_url": "https://example.com/h",
                "auto_creation_webhook_filters": ["onMessageAdd"],
            },
            "auto_creation_webhook_filters",
        ),
        ({"auto_creation_conversation_service_sid": "IS123"}, "auto_creation_conversation_service_sid"),
        ({"address_country": "us"}, "address_country"),
    ],
)
def test_address_auto_creation_rules_land_on_their_field(changes, field):
    config = AddressConfiguration(address=BUSINESS_WHATSAPP, auto_creation_enabled=True, **changes)
    assert list(clean_errors(config)) == [field]


def test_address_studio_auto_creation_with_flow_and_retries_is_valid():
    config = AddressConfiguration(
        address=BUSINESS_WHATSAPP,
        auto_creation_enabled=True,
        auto_creation_type="studio",
        auto_creation_studio_flow_sid=make_sid("FW"),
        auto_creation_studio_retry_count=3,
    )
    assert clean_errors(config) == {}


# Conversation


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"attributes": "[]"}, "attributes"),
        ({"attributes": '{"k": "' + "x" * 16384 + '"}'}, "attributes"),
        ({"timers_inactive": "PT30S"}, "timers_inactive"),
        ({"timers_closed": "PT5M"}, "timers_closed"),
        ({"timers_closed": "10 minutes"}, "timers_closed"),
        ({"messaging_service_sid": make_sid("IS")}, "messaging_service_sid"),
        ({"state": "open"}, "state"),
    ],
)
def test_conversation_field_rules(changes, field):
    assert list(clean_errors(Conversation(**changes))) == [field]


def test_conversation_with_timers_and_services_is_valid():
    conversation = Conversation(
        timers_inactive="PT1M",
        timers_closed="PT10M",
        messaging_service_sid=make_sid("MG"),
        chat_service_sid=make_sid("IS"),
    )
    assert clean_errors(conversation) == {}
    assert conversation.state == "active"


def test_empty_unique_names_may_repeat_but_real_ones_may_not():
    Conversation.objects.create()
    Conversation.objects.create()
    Conversation.objects.create(unique_name="order-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(unique_name="order-1")


def test_duplicate_unique_name_is_reported_by_full_clean():
    Conversation.objects.create(unique_name="order-1")
    assert "already uses this unique name" in str(clean_errors(Conversation(unique_name="order-1")))


# SID uniqueness (shared by every mirror)


@pytest.mark.parametrize("model", [Conversation, Template])
def test_empty_sids_may_repeat(model):
    fields = {"language": "en", "types": {"twilio/text": {"body": "x"}}} if model is Template else {}
    model.objects.create(sid="", **fields)
    model.objects.create(sid="", **fields)
    assert model.objects.filter(sid="").count() == 2
    assert clean_errors(model(sid="", **fields)) == {}


def test_duplicate_sid_is_reported_by_full_clean(conversation):
    assert "already has this Twilio SID" in str(clean_errors(Conversation(sid=conversation.sid)))


def test_same_sid_twice_is_refused_by_the_database():
    Conversation.objects.create(sid=make_sid("CH"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(sid=make_sid("CH"))


def test_same_sid_in_different_models_is_allowed(conversation):
    """Each table has its own constraint; prefixes keep real SIDs apart anyway."""
    Template.objects.create(sid=conversation.sid, language="en", types={"twilio/text": {"body": "x"}})


def test_each_row_gets_its_own_local_id():
    first, second = Conversation.objects.create(), Conversation.objects.create()
    assert first.local_id != second.local_id


# Participant


def test_whatsapp_participant_is_valid(participant):
    assert clean_errors(participant) == {}


def test_sms_participant_is_valid(conversation):
    participant = Participant(
        conversation=conversation,
        messaging_binding_address=COURIER_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
    )
    assert clean_errors(participant) == {}


def test_chat_participant_is_valid(conversation):
    assert clean_errors(Participant(conversation=conversation, identity="agent.maria")) == {}


def test_participant_needs_identity_or_address(conversation):
    assert set(clean_errors(Participant(conversation=conversation))) == {"identity", "messaging_binding_address"}


def test_participant_cannot_have_both_identity_and_address(conversation):
    participant = Participant(
        conversation=conversation,
        identity="agent.maria",
        messaging_binding_address=CUSTOMER_WHATSAPP,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    assert list(clean_errors(participant)) == ["identity"]


@pytest.mark.parametrize(
    ("address", "proxy"),
    [(CUSTOMER_WHATSAPP, ""), (CUSTOMER_WHATSAPP, BUSINESS_SMS), (COURIER_SMS, BUSINESS_WHATSAPP)],
)
def test_participant_proxy_must_exist_on_the_same_channel(conversation, address, proxy):
    participant = Participant(
        conversation=conversation, messaging_binding_address=address, messaging_binding_proxy_address=proxy
    )
    assert list(clean_errors(participant)) == ["messaging_binding_proxy_address"]


def test_participant_address_must_be_valid(conversation):
    participant = Participant(
        conversation=conversation,
        messaging_binding_address="whatsapp:+491234",
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    assert list(clean_errors(participant)) == ["messaging_binding_address"]


def test_participant_binding_type_must_match_address(conversation):
    participant = Participant(
        conversation=conversation,
        messaging_binding_type="sms",
        messaging_binding_address=CUSTOMER_WHATSAPP,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    assert list(clean_errors(participant)) == ["messaging_binding_type"]


def test_same_binding_twice_in_a_conversation_is_refused(participant):
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            conversation=participant.conversation,
            messaging_binding_address=participant.messaging_binding_address,
            messaging_binding_proxy_address=participant.messaging_binding_proxy_address,
        )


def test_same_binding_in_another_conversation_is_allowed(participant):
    Participant.objects.create(
        conversation=Conversation.objects.create(),
        messaging_binding_address=participant.messaging_binding_address,
        messaging_binding_proxy_address=participant.messaging_binding_proxy_address,
    )


def test_same_identity_twice_in_a_conversation_is_refused(conversation):
    Participant.objects.create(conversation=conversation, identity="agent.maria")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(conversation=conversation, identity="agent.maria")


def test_several_chat_participants_share_the_empty_binding(conversation):
    Participant.objects.create(conversation=conversation, identity="agent.maria")
    Participant.objects.create(conversation=conversation, identity="agent.joao")
    assert conversation.participants.count() == 2


# Message


def test_message_needs_body_media_or_template(conversation):
    assert list(clean_errors(Message(conversation=conversation))) == ["body"]


@pytest.mark.parametrize(
    "content",
    [
        {"body": "Hi"},
        {"media_sid": make_sid("ME")},
        {"content_sid": make_sid("HX"), "content_variables": '{"1": "Ana"}'},
    ],
)
def test_message_with_any_content_is_valid(conversation, content):
    assert clean_errors(Message(conversation=conversation, **content)) == {}


def test_outbound_body_is_capped_at_1600_characters_once_a_phone_takes_part(participant):
    conversation = participant.conversation
    assert clean_errors(Message(conversation=conversation, body="x" * 1600)) == {}
    assert list(clean_errors(Message(conversation=conversation, body="x" * 1601))) == ["body"]


def test_a_chat_only_conversation_takes_bodies_up_to_32_kb(conversation):
    assert clean_errors(Message(conversation=conversation, body="x" * 32 * 1024)) == {}
    assert list(clean_errors(Message(conversation=conversation, body="x" * (32 * 1024 + 1)))) == ["body"]


def test_inbound_body_may_exceed_the_outbound_cap(conversation):
    assert clean_errors(Message(conversation=conversation, direction="inbound", body="x" * 5000)) == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"content_sid": make_sid("HX"), "content_variables": '{"1": 1}'}, "content_variables"),
        ({"body": "Hi", "content_variables": '{"1": "Ana"}'}, "content_variables"),
        ({"body": "Hi", "content_sid": make_sid("CH")}, "content_sid"),
        ({"body": "Hi", "attributes": "x" * 10}, "attributes"),
    ],
)
def test_message_field_rules(conversation, changes, field):
    assert list(clean_errors(Message(conversation=conversation, **changes))) == [field]


def test_message_index_is_unique_per_conversation_only_when_set(message):
    Message.objects.create(conversation=message.conversation, body="draft")
    Message.objects.create(conversation=message.conversation, body="another draft")
    Message.objects.create(conversation=Conversation.objects.create(), index=message.index, body="elsewhere")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(conversation=message.conversation, index=message.index, body="clash")


# DeliveryReceipt and ConversationWebhook


def test_delivery_receipt_status_comes_from_twilios_list(message):
    assert list(clean_errors(DeliveryReceipt(message=message, status="bounced"))) == ["status"]
    assert clean_errors(DeliveryReceipt(message=message, status="failed", error_code=63016)) == {}


@pytest.mark.parametrize(("target", "field"), [("webhook", "url"), ("studio", "flow_sid"), ("trigger", "triggers")])
def test_webhook_target_needs_its_configuration(conversation, target, field):
    assert list(clean_errors(ConversationWebhook(conversation=conversation, target=target))) == [field]


@pytest.mark.parametrize(
    "config",
    [
        {"target": "webhook", "url": "https://example.com/h", "method": "post", "filters": ["onMessageAdded"]},
        {"target": "studio", "flow_sid": make_sid("FW")},
        {"target": "trigger", "url": "https://example.com/h", "triggers": ["help"]},
    ],
)
def test_webhook_with_configuration_is_valid(conversation, config):
    assert clean_errors(ConversationWebhook(conversation=conversation, **config)) == {}


def test_webhook_filters_take_post_events_only(conversation):
    webhook = ConversationWebhook(
        conversation=conversation, target="webhook", url="https://example.com/h", filters=["onMessageAdd"]
    )
    assert list(clean_errors(webhook)) == ["filters"]


# Template


@pytest.mark.parametrize(
    ("types", "body"),
    [
        ({"twilio/quick-reply": {"body": "Pick one"}, "twilio/text": {"body": "Hello {{1}}"}}, "Hello {{1}}"),
        ({"twilio/quick-reply": {"body": "Pick one", "actions": []}}, "Pick one"),
        ({"twilio/location": {"latitude": 1.0, "longitude": 2.0}}, ""),
        ({}, ""),
    ],
)
def test_template_body_text_prefers_plain_text(types, body):
    assert Template(types=types).body_text == body


def test_template_needs_language_and_types():
    assert set(clean_errors(Template())) == {"language", "types"}


def test_template_approval_status_is_free_text():
    """Twilio documents more statuses than its spec lists; any of them must be storable."""
    template = Template(language="en", types={"twilio/text": {"body": "Hi"}}, approval_status="paused")
    assert clean_errors(template) == {}


# WebhookEvent and SyncOperation


def test_webhook_event_dedup_key_is_unique():
    WebhookEvent.objects.create(source="conversations", event_type="onMessageAdded", dedup_key="k1")
    with pytest.raises(IntegrityError), transaction.atomic():
        WebhookEvent.objects.create(source="conversations", event_type="onMessageAdded", dedup_key="k1")


def test_webhook_events_list_newest_first():
    first = WebhookEvent.objects.create(source="status", event_type="sent", dedup_key="a")
    second = WebhookEvent.objects.create(source="status", event_type="delivered", dedup_key="b")
    assert list(WebhookEvent.objects.all()) == [second, first]
    assert first.processing_state == "pending" and first.attempts == 0


def test_sync_operation_points_at_its_target(conversation):
    user = get_user_model().objects.create_user("ops")
    operation = SyncOperation.objects.create(
        content_type=ContentType.objects.get_for_model(conversation),
        object_id=conversation.pk,
        operation="conversation.create",
        requested_by=user,
    )
    operation.refresh_from_db()
    assert operation.target == conversation
    assert (operation.state, operation.attempts, operation.max_attempts) == ("pending", 0, 8)
    assert operation.next_attempt_at is not None
