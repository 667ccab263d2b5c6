"""Pairings end to end: the console and the simulator's handsets, nothing else.

`seeded`: the simulator seeded as `make run` seeds it (a WhatsApp and an SMS business
number, the guide's two templates approved) and the console's pull of what it needs
(the address configurations and the templates). `people`: the customer's and the
courier's phones (tests/helpers/pairings.py).
"""

import pytest
from django.core.management import call_command

from conversations_ops.models import Template
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.services.account_webhooks import account_webhooks_configure
from simulator.management.commands.simulator_seed import BUSINESS_SMS, BUSINESS_WHATSAPP
from tests.helpers.pairings import People


@pytest.fixture
def seeded(simulator):
    call_command("simulator_seed")
    twilio_pull(resources=["addresses", "templates"])
    account_webhooks_configure()
    templates = {t.friendly_name: t for t in Template.objects.all()}
    return {
        "invite": templates["courier_invite"],
        "connected": templates["courier_connected"],
        "sender": BUSINESS_WHATSAPP,
        "sms_sender": BUSINESS_SMS,
    }


@pytest.fixture
def people(simulator):
    return People(simulator)
