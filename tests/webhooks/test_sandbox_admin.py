"""Staff set up WhatsApp sandbox senders in the admin."""

import pytest
from django.urls import reverse

from conversations_ops.models import SandboxSender

pytestmark = pytest.mark.django_db

FLOW = "FW" + "7" * 32


def test_the_list_shows_address_name_flow_and_whether_enabled(admin_client):
    SandboxSender.objects.create(address="whatsapp:+14155238886", friendly_name="Sandbox", studio_flow_sid=FLOW)
    page = admin_client.get(reverse("admin:conversations_ops_sandboxsender_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "whatsapp:+14155238886" in text and "Sandbox" in text and FLOW in text
    assert "column-enabled" in text


def test_adding_one_checks_the_address_and_the_flow(admin_client):
    url = reverse("admin:conversations_ops_sandboxsender_add")
    form = admin_client.get(url)
    assert "PUBLIC_BASE_URL/webhooks/twilio/messaging/" in form.content.decode()  # the help text says where to point
    refused = admin_client.post(url, {"address": "+14155238886", "studio_flow_sid": "FX1", "enabled": "on"})
    assert refused.status_code == 200 and not SandboxSender.objects.exists()
    saved = admin_client.post(
        url, {"address": "whatsapp:+14155238886", "friendly_name": "Sandbox", "studio_flow_sid": FLOW, "enabled": "on"}
    )
    assert saved.status_code == 302
    sender = SandboxSender.objects.get()
    assert (sender.address, sender.studio_flow_sid, sender.enabled) == ("whatsapp:+14155238886", FLOW, True)
