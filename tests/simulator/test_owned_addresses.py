"""The account's own addresses: the numbers and WhatsApp senders it lists, and the only ones
an address configuration may name (simulator/engine/owned.py, docs/fidelity.md).

Through the real twilio SDK over HTTP, with the account set up through the control API
as Twilio's Console would (buy a number, register a WhatsApp sender).
"""

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from simulator.models import SimAddressConfiguration

pytestmark = pytest.mark.slow  # every test starts the live server (the simulator over real HTTP)

SMS_NUMBER, WHATSAPP_SENDER = "+14155550100", "whatsapp:+14155550111"
SANDBOX = "whatsapp:+14155238886"


class RoutingHttpClient(TwilioHttpClient):
    """Any Twilio client pointed at the simulator: Twilio's hosts replaced, paths kept (docs/simulator.md)."""

    def __init__(self, base: str):
        super().__init__(timeout=10)
        self.base = base

    def request(self, method, url, *args, **kwargs):
        for product in ("conversations", "messaging", "api"):
            host = f"https://{product}.twilio.com"
            if url.startswith(host + "/"):
                url = f"{self.base}/{product}{url[len(host) :]}"
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def client(simulator, settings):
    http = RoutingHttpClient(simulator.api_base)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http)


@pytest.fixture
def control(simulator):
    def post(endpoint, **data):
        answer = requests.post(f"{simulator.api_base}/_control/{endpoint}", data=data, timeout=10)
        return answer

    return post


def _refusal(call) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as refused:
        call()
    return refused.value


def test_the_account_lists_its_phone_numbers_and_whatsapp_senders(client, control, settings):
    assert control("phone-numbers", phone_number=SMS_NUMBER, friendly_name="Deliveries SMS").status_code == 200
    assert control("whatsapp-senders", sender_id=WHATSAPP_SENDER, profile_name="Deliveries").status_code == 200
    assert control("whatsapp-senders", sender_id="whatsapp:+14155550122", status="OFFLINE").status_code == 200

    numbers = client.api.v2010.accounts(settings.TWILIO_ACCOUNT_SID).incoming_phone_numbers.list(page_size=2)
    # A WhatsApp sender is registered on one of the account's numbers: those are listed too.
    assert [n.phone_number for n in numbers] == [SMS_NUMBER, "+14155550111", "+14155550122"]  # two pages of 2
    assert all(n.sid.startswith("PN") and n.capabilities["sms"] for n in numbers)
    assert numbers[0].friendly_name == "Deliveries SMS"

    senders = client.messaging.v2.channels_senders.list(channel="whatsapp")
    assert [(s.sender_id, s.status) for s in senders] == [
        (WHATSAPP_SENDER, "ONLINE"),
        ("whatsapp:+14155550122", "OFFLINE"),
    ]
    assert senders[0].sid.startswith("XE") and senders[0].profile["name"] == "Deliveries"
    assert client.messaging.v2.channels_senders(senders[0].sid).fetch().sender_id == WHATSAPP_SENDER
    assert client.messaging.v2.channels_senders.list(channel="rcs") == []
    # Channel is required (spec: ListChannelsSender); a refused list page arrives as TwilioException.
    with pytest.raises(TwilioException) as refused:
        client.messaging.v2.channels_senders.list()
    assert refused.value.args[1].status_code == 400


def test_another_accounts_numbers_are_not_listed(client):
    other = "AC" + "0" * 32
    with pytest.raises(TwilioException) as refused:
        client.api.v2010.accounts(other).incoming_phone_numbers.list()
    assert refused.value.args[1].status_code == 404


def test_an_address_configuration_for_an_address_the_account_does_not_own_is_refused(client, control):
    addresses = client.conversations.v1.address_configurations
    sms = _refusal(lambda: addresses.create(type="sms", address=SMS_NUMBER))
    assert (sms.status, sms.code) == (400, 21606) and SMS_NUMBER in sms.msg
    whatsapp = _refusal(lambda: addresses.create(type="whatsapp", address=WHATSAPP_SENDER))
    assert (whatsapp.status, whatsapp.code) == (400, 63007)
    assert not SimAddressConfiguration.objects.exists()

    control("phone-numbers", phone_number=SMS_NUMBER)
    control("whatsapp-senders", sender_id=WHATSAPP_SENDER)
    assert addresses.create(type="sms", address=SMS_NUMBER).address == SMS_NUMBER
    made = addresses.create(type="whatsapp", address=WHATSAPP_SENDER, auto_creation_enabled=True)
    assert made.auto_creation["enabled"] is True

    # A number the account owns is not yet a WhatsApp sender: WhatsApp needs the registered sender.
    refused = _refusal(lambda: addresses.create(type="whatsapp", address=f"whatsapp:{SMS_NUMBER}"))
    assert refused.code == 63007
    # A sender still being set up (not ONLINE) cannot take a configuration either.
    control("whatsapp-senders", sender_id="whatsapp:+14155550122", status="PENDING_VERIFICATION")
    offline = _refusal(lambda: addresses.create(type="whatsapp", address="whatsapp:+14155550122"))
    assert offline.code == 63007 and "PENDING_VERIFICATION" in offline.msg


def test_the_whatsapp_sandbox_number_refuses_auto_creation(client, control):
    addresses = client.conversations.v1.address_configurations
    refused = _refusal(
        lambda: addresses.create(
            type="whatsapp", address=SANDBOX, auto_creation_enabled=True, auto_creation_type="default"
        )
    )
    assert (refused.status, refused.code) == (400, 63007) and "Sandbox" in refused.msg
    # No account owns Twilio's shared sandbox number, so it never becomes configurable.
    owning = control("whatsapp-senders", sender_id=SANDBOX)
    assert owning.status_code == 400 and "Sandbox" in owning.json()["error"]
    assert not SimAddressConfiguration.objects.exists()


def test_releasing_a_number_deletes_its_address_configuration(client, control, simulator):
    control("whatsapp-senders", sender_id=WHATSAPP_SENDER)
    client.conversations.v1.address_configurations.create(type="whatsapp", address=WHATSAPP_SENDER)
    released = requests.delete(f"{simulator.api_base}/_control/phone-numbers/{WHATSAPP_SENDER[9:]}", timeout=10)
    assert released.status_code == 200 and released.json()["phone_numbers"] == []
    assert client.conversations.v1.address_configurations.list() == []
    assert client.messaging.v2.channels_senders.list(channel="whatsapp") == []
