"""The Python samples of the two Twilio guides run against the simulator unchanged, but for the base URL.

"Using WhatsApp with Conversations" and "Manage Conversations WhatsApp Addresses"
(whose sample is Node: its parameters are given here under twilio-python's names);
both guides, with their URLs, are summarised in docs/twilio-reference.md. Placeholders
(YOUR_WHATSAPP_NUMBER, CHxxxx, FWXXXX...) are replaced by real values.
"""

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from simulator.engine import owned
from simulator.models import SimAddressConfiguration, SimConversation, SimMessage, SimScopedWebhook

pytestmark = pytest.mark.slow  # every test starts the live server (the simulator over real HTTP)

YOUR_WHATSAPP_NUMBER, TWI_WA_NUMBER = "+15017122661", "+14155550100"
YOUR_SMS_NUMBER, TWI_SMS_NUMBER = "+4915123456789", "+442071838750"
BODY = (
    "Hello Robert, your food delivery is almost there but Alicia (your rider) needs help finding your door. "
    "Are you willing to chat with them?"
)


@pytest.fixture
def client(simulator, settings, engine_calls):
    client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    client.conversations.base_url = f"{simulator.api_base}/conversations"  # the only change
    return client


def test_seed_000_sms_to_whatsapp_samples(client, settings, engine_calls):
    conversation = client.conversations.v1.conversations.create(friendly_name="SMS-to-WhatsApp Example")
    assert conversation.sid.startswith("CH") and conversation.state == "active"

    whatsapp = client.conversations.v1.conversations(conversation.sid).participants.create(
        messaging_binding_address=f"whatsapp:{YOUR_WHATSAPP_NUMBER}",
        messaging_binding_proxy_address=f"whatsapp:{TWI_WA_NUMBER}",
    )
    assert whatsapp.account_sid == settings.TWILIO_ACCOUNT_SID
    sms = client.conversations.v1.conversations(conversation.sid).participants.create(
        messaging_binding_address=YOUR_SMS_NUMBER,
        messaging_binding_proxy_address=TWI_SMS_NUMBER,
    )
    assert sms.messaging_binding == {"type": "sms", "address": YOUR_SMS_NUMBER, "proxy_address": TWI_SMS_NUMBER}

    message = client.conversations.v1.conversations(conversation.sid).messages.create(
        author=f"whatsapp:{YOUR_WHATSAPP_NUMBER}",
        body=BODY,
    )
    assert message.account_sid == settings.TWILIO_ACCOUNT_SID
    assert (message.index, message.participant_sid, message.body) == (0, whatsapp.sid, BODY)

    webhook = client.conversations.v1.conversations(conversation.sid).webhooks.create(
        target="webhook",
        configuration_url="http://funny-dunkin-3838.twil.io/customer-optin",
        configuration_method="get",
        configuration_filters=["onMessageAdded"],
    )
    assert webhook.sid.startswith("WH")
    assert webhook.configuration == {
        "url": "http://funny-dunkin-3838.twil.io/customer-optin",
        "method": "GET",
        "filters": ["onMessageAdded"],
    }

    stored = SimConversation.objects.get(sid=conversation.sid)
    assert stored.friendly_name == "SMS-to-WhatsApp Example"
    assert sorted(stored.participants.values_list("channel", "address", "proxy_address")) == [
        ("sms", YOUR_SMS_NUMBER, TWI_SMS_NUMBER),
        ("whatsapp", f"whatsapp:{YOUR_WHATSAPP_NUMBER}", f"whatsapp:{TWI_WA_NUMBER}"),
    ]
    assert SimMessage.objects.get(sid=message.sid).author == f"whatsapp:{YOUR_WHATSAPP_NUMBER}"
    assert SimScopedWebhook.objects.filter(conversation=stored, target="webhook", method="GET").count() == 1
    assert engine_calls.delivered == [message.sid]


def test_seed_000_masked_sample_meets_50416_while_the_first_conversation_is_open(client):
    first = client.conversations.v1.conversations.create()
    client.conversations.v1.conversations(first.sid).participants.create(
        messaging_binding_address=f"whatsapp:{YOUR_WHATSAPP_NUMBER}",
        messaging_binding_proxy_address=f"whatsapp:{TWI_WA_NUMBER}",
    )
    second = client.conversations.v1.conversations.create()
    with pytest.raises(TwilioRestException) as refused:
        client.conversations.v1.conversations(second.sid).participants.create(
            messaging_binding_address=f"whatsapp:{YOUR_WHATSAPP_NUMBER}",
            messaging_binding_proxy_address=f"whatsapp:{TWI_WA_NUMBER}",
        )
    assert (refused.value.status, refused.value.code) == (409, 50416)


def test_seed_003_whatsapp_address_configuration_sample(client, settings):
    # The guide: "The rest assumes you already have a registered WhatsApp number on your account."
    owned.own("whatsapp:+13115552368")
    studio_flow_sid = "FW" + "0123456789abcdef" * 2
    address_configuration = client.conversations.v1.address_configurations.create(
        address="whatsapp:+13115552368",
        auto_creation_enabled=True,
        auto_creation_studio_flow_sid=studio_flow_sid,
        auto_creation_studio_retry_count=3,
        auto_creation_type="studio",
        type="whatsapp",
    )
    assert address_configuration.sid.startswith("IG")
    assert address_configuration.account_sid == settings.TWILIO_ACCOUNT_SID
    assert (address_configuration.type, address_configuration.address) == ("whatsapp", "whatsapp:+13115552368")
    auto_creation = address_configuration.auto_creation
    assert (
        auto_creation["enabled"],
        auto_creation["type"],
        auto_creation["studio_flow_sid"],
        auto_creation["studio_retry_count"],
    ) == (True, "studio", studio_flow_sid, 3)
    stored = SimAddressConfiguration.objects.get(sid=address_configuration.sid)
    assert stored.auto_creation["type"] == "studio" and stored.address == "whatsapp:+13115552368"
