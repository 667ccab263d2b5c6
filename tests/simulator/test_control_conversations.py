"""GET /simulator/_control/conversations: what a person's message created."""

import pytest
import requests

from simulator import clock

pytestmark = pytest.mark.slow  # every test starts the live server (the simulator over real HTTP)


def test_an_inbound_message_shows_its_auto_created_conversation(simulator):
    from django.core.management import call_command

    from simulator.management.commands.simulator_seed import BUSINESS_WHATSAPP

    call_command("simulator_seed")
    control = f"{simulator.api_base}/_control"
    sent = requests.post(
        f"{control}/inbound",
        data={"From": "whatsapp:+15005550006", "To": BUSINESS_WHATSAPP, "Body": "Where is my order?"},
        timeout=10,
    )
    assert sent.json()["outcome"] == "auto_created"
    listed = requests.get(f"{control}/conversations", timeout=10).json()["conversations"]
    assert [c["sid"] for c in listed] == [sent.json()["conversation_sid"]]
    (conversation,) = listed
    assert conversation["state"] == "active" and conversation["messages"] == 1
    assert conversation["participants"][0]["address"] == "whatsapp:+15005550006"
    assert conversation["participants"][0]["proxy_address"] == BUSINESS_WHATSAPP


def test_the_list_shows_states_reached_by_timers(simulator):
    from simulator.engine import store

    store.create_conversation(unique_name="timed", timers_closed="PT10M")
    clock.advance(11 * 60)
    (listed,) = requests.get(f"{simulator.api_base}/_control/conversations", timeout=10).json()["conversations"]
    assert listed["state"] == "closed"


def test_the_handset_page_has_a_conversations_panel(simulator):
    page = requests.get(f"{simulator.api_base}/", timeout=10)
    assert page.status_code == 200 and 'id="conversations"' in page.text
