"""Conversation Services and /v1/Configuration, through the real twilio SDK over HTTP.

Twilio: the short /v1/Conversations paths address the account's default Conversation
Service; a conversation of another service is reached at /v1/Services/{sid}/Conversations/...
(https://www.twilio.com/docs/conversations/api/service-resource). The account's
Configuration holds the default service and the default timers applied to conversations
created without their own (https://www.twilio.com/docs/conversations/api/configuration-resource).
"""

import json

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException

from conversations_ops.twilio import gateway
from simulator.engine import owned
from simulator.engine import services as service_engine
from tests.simulator.engine_helpers import BUSINESS_WA, CUSTOMER_WA, control

pytestmark = pytest.mark.slow  # every test starts the live server (the simulator over real HTTP)


@pytest.fixture
def client(simulator):
    """twilio-python as the console builds it (gateway._client), pointed at the live simulator."""
    return gateway._client().conversations.v1


@pytest.fixture
def other_service(simulator):
    status, body = control(simulator, "services", json={"FriendlyName": "Staging"})
    assert status == 201, body
    assert body["default_chat_service_sid"] == service_engine.DEFAULT_CHAT_SERVICE_SID
    assert {"sid": body["sid"], "friendly_name": "Staging", "default": False} in body["services"]
    return body["sid"]


def _not_found(call):
    """Twilio's 404 / 20404; a list page fails as TwilioException("Unable to fetch page", response)."""
    with pytest.raises(TwilioException) as caught:
        call()
    if isinstance(caught.value, TwilioRestException):
        assert (caught.value.status, caught.value.code) == (404, 20404)
    else:
        response = caught.value.args[1]
        assert (response.status_code, json.loads(response.text)["code"]) == (404, 20404)


def test_a_conversation_of_another_service_is_reached_only_at_its_service_paths(client, other_service):
    service = client.services(other_service)
    conversation = service.conversations.create(friendly_name="In staging")
    assert conversation.chat_service_sid == other_service
    assert conversation.url.endswith(f"/v1/Services/{other_service}/Conversations/{conversation.sid}")

    # The short paths address the default service only.
    _not_found(lambda: client.conversations(conversation.sid).fetch())
    _not_found(lambda: client.conversations(conversation.sid).messages.list())
    assert conversation.sid not in [c.sid for c in client.conversations.list()]

    # Its children live at the service paths.
    participant = service.conversations(conversation.sid).participants.create(
        messaging_binding_address=CUSTOMER_WA, messaging_binding_proxy_address=BUSINESS_WA
    )
    message = service.conversations(conversation.sid).messages.create(author="ops", body="Hello")
    assert service.conversations(conversation.sid).fetch().sid == conversation.sid
    assert [p.sid for p in service.conversations(conversation.sid).participants.list()] == [participant.sid]
    assert [m.sid for m in service.conversations(conversation.sid).messages.list()] == [message.sid]
    assert [c.sid for c in service.conversations.list()] == [conversation.sid]
    assert [c.conversation_sid for c in service.participant_conversations.list(address=CUSTOMER_WA)] == [
        conversation.sid
    ]
    assert list(client.participant_conversations.list(address=CUSTOMER_WA)) == []


def test_a_default_service_conversation_is_not_reached_through_another_service(client, other_service):
    conversation = client.conversations.create(friendly_name="Default")
    assert conversation.chat_service_sid == service_engine.DEFAULT_CHAT_SERVICE_SID
    _not_found(lambda: client.services(other_service).conversations(conversation.sid).fetch())
    # The default service has its own service paths too.
    assert client.services(conversation.chat_service_sid).conversations(conversation.sid).fetch().sid == (
        conversation.sid
    )


def test_a_service_that_does_not_exist_is_not_found(client):
    _not_found(lambda: client.services("IS" + "0" * 32).conversations.list())
    _not_found(lambda: client.services("IS" + "0" * 32).fetch())


def test_services_are_created_and_listed_like_twilios(client):
    made = client.services.create(friendly_name="Staging")
    assert made.sid.startswith("IS") and made.friendly_name == "Staging"
    assert {s.sid for s in client.services.list()} == {service_engine.DEFAULT_CHAT_SERVICE_SID, made.sid}
    assert client.services(made.sid).fetch().friendly_name == "Staging"


def test_auto_creation_creates_into_the_configured_service(simulator, client, other_service):
    owned.own(BUSINESS_WA)  # Twilio configures only the account's own senders
    client.address_configurations.create(
        type="whatsapp",
        address=BUSINESS_WA,
        auto_creation_enabled=True,
        auto_creation_type="default",
        auto_creation_conversation_service_sid=other_service,
    )
    status, routed = control(simulator, "inbound", data={"From": CUSTOMER_WA, "To": BUSINESS_WA, "Body": "Hi"})
    assert status == 200 and routed["outcome"] == "auto_created"
    sid = routed["conversation_sid"]
    _not_found(lambda: client.conversations(sid).fetch())
    fetched = client.services(other_service).conversations(sid).fetch()
    assert fetched.chat_service_sid == other_service
    assert [m.body for m in client.services(other_service).conversations(sid).messages.list()] == ["Hi"]


def test_configuration_is_fetched_and_updated(client, other_service):
    configuration = client.configuration().fetch()
    assert configuration.default_chat_service_sid == service_engine.DEFAULT_CHAT_SERVICE_SID
    assert configuration.default_messaging_service_sid == service_engine.DEFAULT_MESSAGING_SERVICE_SID
    assert (configuration.default_inactive_timer, configuration.default_closed_timer) == (None, None)

    updated = client.configuration().update(default_inactive_timer="PT5M", default_closed_timer="PT10M")
    assert (updated.default_inactive_timer, updated.default_closed_timer) == ("PT5M", "PT10M")
    assert client.configuration().fetch().default_closed_timer == "PT10M"

    # The default service moves: the short paths follow it.
    client.configuration().update(default_chat_service_sid=other_service)
    conversation = client.conversations.create(friendly_name="Now in staging")
    assert conversation.chat_service_sid == other_service


@pytest.mark.parametrize(
    "field, value",
    [
        ("default_closed_timer", "PT9M"),
        ("default_inactive_timer", "PT30S"),
        ("default_closed_timer", "soon"),
        ("default_chat_service_sid", "IS" + "0" * 32),  # no such service in the account
    ],
)
def test_configuration_refuses_bad_timers_and_unknown_services(client, field, value):
    with pytest.raises(TwilioRestException) as caught:
        client.configuration().update(**{field: value})
    assert caught.value.status == 400
    after = client.configuration().fetch()
    assert (after.default_closed_timer, after.default_inactive_timer) == (None, None)
    assert after.default_chat_service_sid == service_engine.DEFAULT_CHAT_SERVICE_SID


def test_default_timers_apply_to_conversations_created_without_timers(simulator, client):
    client.configuration().update(default_inactive_timer="PT5M", default_closed_timer="PT10M")
    untimed = client.conversations.create(friendly_name="Long-lived")
    own = client.conversations.create(friendly_name="Own timer", state="active", timers_closed="PT2H")
    assert untimed.timers["date_closed"] and untimed.timers["date_inactive"]

    control(simulator, "clock", data={"advance": 11 * 60})
    assert client.conversations(untimed.sid).fetch().state == "closed"
    assert client.conversations(own.sid).fetch().state == "inactive"  # its own closed timer, the default inactive one


def test_default_timers_apply_to_auto_created_conversations(simulator, client):
    client.configuration().update(default_closed_timer="PT10M")
    owned.own(BUSINESS_WA)  # Twilio configures only the account's own senders
    owned.own(BUSINESS_WA)
    client.address_configurations.create(
        type="whatsapp", address=BUSINESS_WA, auto_creation_enabled=True, auto_creation_type="default"
    )
    _, routed = control(simulator, "inbound", data={"From": CUSTOMER_WA, "To": BUSINESS_WA, "Body": "Hi"})
    assert client.conversations(routed["conversation_sid"]).fetch().state == "active"
    control(simulator, "clock", data={"advance": 11 * 60})
    assert client.conversations(routed["conversation_sid"]).fetch().state == "closed"
