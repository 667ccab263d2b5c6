"""The address configuration form offers the account's own senders, read from Twilio; a
refusal for an address the account does not own is explained; an unreachable Twilio still
lets staff type an address, and says why (docs/fidelity.md, "Addresses, numbers and senders")."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from conversations_ops.admin.sync_display import row_problem_html
from conversations_ops.models import AddressConfiguration, SyncState
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.services.address_configurations import address_configuration_create
from simulator.engine import owned
from simulator.models import SimAddressConfiguration

ADD = "admin:conversations_ops_addressconfiguration_add"
WHATSAPP_SENDER, SMS_NUMBER = "whatsapp:+14155550111", "+14155550100"
PENDING_SENDER = "whatsapp:+14155550122"
SANDBOX = "whatsapp:+14155238886"
# What the add form posts besides the address and type (the model's defaults).
FORM = {"friendly_name": "", "address_country": ""}


def _address_field(response):
    return response.context["adminform"].form.fields["address"]


@pytest.mark.slow
def test_the_form_offers_the_accounts_senders_read_from_twilio(simulator, admin_client):
    owned.own(WHATSAPP_SENDER, "Deliveries")
    owned.own(SMS_NUMBER)
    owned.own_whatsapp_sender(PENDING_SENDER, status="PENDING_VERIFICATION")

    page = admin_client.get(reverse(ADD))
    field = _address_field(page)
    assert isinstance(field, forms.ChoiceField)
    offered = [value for value, _ in field.choices if value]
    # A WhatsApp sender's number is a phone number of the account too (listed in its order), so SMS may use it.
    assert offered == [WHATSAPP_SENDER, "+14155550111", SMS_NUMBER, "+14155550122"]
    assert "WhatsApp whatsapp:+14155550111 (Deliveries)" in page.content.decode()
    assert f"Not offered until ONLINE: {PENDING_SENDER} (PENDING_VERIFICATION)" in field.help_text
    # The type is no question when the sender says it: hidden, set from the sender picked.
    assert isinstance(page.context["adminform"].form.fields["type"].widget, forms.HiddenInput)

    refused = admin_client.post(reverse(ADD), {**FORM, "type": "whatsapp", "address": "whatsapp:+19995550100"})
    assert refused.status_code == 200 and "address" in refused.context["adminform"].form.errors
    # Picking the SMS number with the default type (whatsapp) still configures it as SMS.
    made = admin_client.post(reverse(ADD), {**FORM, "type": "whatsapp", "address": SMS_NUMBER})
    assert made.status_code == 302, made.context and made.context["adminform"].form.errors
    row = AddressConfiguration.objects.get(address=SMS_NUMBER)
    assert (row.type, row.sync_state) == ("sms", SyncState.SYNCED) and row.sid
    assert SimAddressConfiguration.objects.get(sid=row.sid).type == "sms"
    untyped = admin_client.post(reverse(ADD), {**FORM, "address": WHATSAPP_SENDER})  # no type posted at all
    assert untyped.status_code == 302, untyped.context and untyped.context["adminform"].form.errors
    assert AddressConfiguration.objects.get(address=WHATSAPP_SENDER).type == "whatsapp"


@pytest.mark.django_db
def test_when_twilio_cannot_be_read_the_form_says_so_and_takes_a_typed_address(admin_client, settings):
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9/simulator"  # nothing listens there
    settings.TWILIO_READ_RETRY_BASE_SECONDS = 0

    page = admin_client.get(reverse(ADD), follow=True)
    notices = [str(m) for m in page.context["messages"]]
    assert any("could not be read from Twilio" in n and "Twilio did not answer" in n for n in notices), notices
    field = _address_field(page)
    assert not isinstance(field, forms.ChoiceField)
    assert "Meanwhile you may type the address" in field.help_text and "try again in a minute" in field.help_text
    # Without the list the type cannot follow a sender: it stays a question.
    assert not isinstance(page.context["adminform"].form.fields["type"].widget, forms.HiddenInput)

    made = admin_client.post(reverse(ADD), {**FORM, "type": "whatsapp", "address": WHATSAPP_SENDER})
    assert made.status_code == 302
    assert AddressConfiguration.objects.get(address=WHATSAPP_SENDER).sync_state == SyncState.PENDING


@pytest.mark.slow
def test_twilios_refusal_of_an_address_the_account_does_not_own_is_explained(simulator, admin_client):
    row = address_configuration_create(address=SMS_NUMBER, friendly_name="Not ours")
    row.refresh_from_db()
    assert (row.sync_state, row.last_sync_error_code) == (SyncState.FAILED, 21606)
    problem = row_problem_html(row)
    assert "Not a phone number of this Twilio account" in problem
    assert "Pick one of the account&#x27;s numbers" in problem or "Pick one of the account's numbers" in problem

    whatsapp = address_configuration_create(address=WHATSAPP_SENDER)
    whatsapp.refresh_from_db()
    assert (whatsapp.sync_state, whatsapp.last_sync_error_code) == (SyncState.FAILED, 63007)
    page = admin_client.get(reverse("admin:conversations_ops_addressconfiguration_change", args=[whatsapp.pk]))
    assert "Sender not set up on Twilio" in page.content.decode()
    assert not SimAddressConfiguration.objects.exists()


@pytest.mark.django_db
def test_the_sandbox_number_is_refused_before_it_reaches_twilio(admin_client, settings):
    with pytest.raises(ValidationError) as refused:
        address_configuration_create(address=SANDBOX, auto_creation_enabled=True, auto_creation_type="default")
    assert "Sandbox senders" in str(refused.value.message_dict["address"])

    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9/simulator"  # free text: the sandbox can be typed
    settings.TWILIO_READ_RETRY_BASE_SECONDS = 0
    page = admin_client.post(
        reverse(ADD), {**FORM, "type": "whatsapp", "address": SANDBOX, "auto_creation_enabled": "on"}
    )
    assert page.status_code == 200
    assert "shared WhatsApp Sandbox number" in str(page.context["adminform"].form.errors["address"])
    assert not AddressConfiguration.objects.exists()


@pytest.mark.slow
def test_a_released_numbers_configuration_is_gone_after_the_next_pull(simulator):
    owned.own(WHATSAPP_SENDER)
    row = address_configuration_create(address=WHATSAPP_SENDER, auto_creation_enabled=True)
    row.refresh_from_db()
    assert row.sync_state == SyncState.SYNCED
    owned.release(WHATSAPP_SENDER.removeprefix("whatsapp:"))  # Twilio deletes it (warning 50610)

    twilio_pull(resources=["addresses"])

    row.refresh_from_db()
    assert row.sync_state == SyncState.DELETED_REMOTELY
    # The address is free again: once owned anew, a new configuration may take it.
    owned.own(WHATSAPP_SENDER)
    again = address_configuration_create(address=WHATSAPP_SENDER)
    again.refresh_from_db()
    assert again.sync_state == SyncState.SYNCED and again.sid != row.sid
