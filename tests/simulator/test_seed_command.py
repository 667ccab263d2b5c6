"""`simulator_seed`: demo senders and approved templates for a fresh simulator."""

import pytest
from django.core.management import call_command

from simulator.models import SimAddressConfiguration, SimContent


@pytest.mark.django_db
def test_seed_creates_senders_and_approved_templates_once():
    call_command("simulator_seed", "--if-empty")
    call_command("simulator_seed", "--if-empty")
    assert sorted(SimAddressConfiguration.objects.values_list("type", flat=True)) == ["sms", "whatsapp"]
    templates = {c.friendly_name: c for c in SimContent.objects.all()}
    assert set(templates) == {"courier_invite", "courier_connected"}
    invite = templates["courier_invite"]
    assert invite.approval["status"] == "approved"
    assert "{{1}}" in invite.types["twilio/text"]["body"] and "{{2}}" in invite.types["twilio/text"]["body"]


@pytest.mark.django_db
def test_seed_if_empty_leaves_existing_data_alone():
    call_command("simulator_seed")
    SimContent.objects.all().delete()
    call_command("simulator_seed", "--if-empty")
    assert not SimContent.objects.exists()
