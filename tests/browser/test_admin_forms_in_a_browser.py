"""The participant add form in Chromium (issue 21, item 3): the chosen channel's fields only
(conversations_ops/static/conversations_ops/participant_channel.js), the conversation found by
typing its name, our number picked from the account's senders, and the person on Twilio."""

import re

import pytest

from conversations_ops.models import Participant
from conversations_ops.services.conversations import conversation_create
from simulator.engine import owned
from tests.browser.helpers import log_in, staff_member

pytestmark = pytest.mark.slow

OUR_WHATSAPP = "whatsapp:+14155550123"


def test_ops_adds_a_whatsapp_person_choosing_the_conversation_and_our_number(simulator, page):
    owned.own(OUR_WHATSAPP, "Lisbon")
    conversation = conversation_create(unique_name="order-b12", friendly_name="Order B12")
    log_in(page, simulator.url, staff_member("Ops"))
    page.goto(f"{simulator.url}/admin/conversations_ops/participant/add/")

    chat, phone = page.locator("fieldset.channel-chat"), page.locator("fieldset.channel-phone")
    assert phone.is_visible() and not chat.is_visible()  # WhatsApp is chosen to begin with
    page.check("#id_channel_2")  # Chat
    assert chat.is_visible() and not phone.is_visible()
    page.check("#id_channel_0")  # WhatsApp again
    assert phone.is_visible() and not chat.is_visible()

    # Django's autocomplete (select2) is named by the field's label (base_site.html's script), as axe asks.
    assert page.get_by_role("combobox", name="Conversation").count() == 1
    page.click(".field-conversation .select2-selection")
    page.fill(".select2-search__field", "order-b")
    page.click(".select2-results__option >> text=Order B12")
    page.select_option("#id_messaging_binding_proxy_address", OUR_WHATSAPP)
    page.fill("#id_messaging_binding_address", "+15017122661")
    page.select_option("#id_role", "customer")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r".*/participant/$"))

    participant = Participant.objects.get(conversation=conversation)
    assert participant.messaging_binding_address == "whatsapp:+15017122661"
    assert participant.messaging_binding_proxy_address == OUR_WHATSAPP
    assert participant.sid.startswith("MB")
