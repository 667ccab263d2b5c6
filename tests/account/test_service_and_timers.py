"""The console and the account's /v1/Configuration: auto-creation into another Conversation
Service is refused with the reason, and default timers that end conversations are warned about
on the home page and the address configuration pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conversations_ops.models import AccountConfiguration, AddressConfiguration, SyncOperation
from conversations_ops.models.account import timer_warnings
from conversations_ops.services.address_configurations import (
    address_configuration_create,
    address_configuration_update,
)
from tests.helpers.ids import make_sid

pytestmark = pytest.mark.django_db

DEFAULT_IS, OTHER_IS = "IS" + "5e" * 16, "IS" + "ab" * 16
FIELD = "auto_creation_conversation_service_sid"


def pulled(**fields) -> AccountConfiguration:
    values = {"default_chat_service_sid": DEFAULT_IS, "default_messaging_service_sid": "MG" + "5e" * 16}
    return AccountConfiguration.objects.create(pk=1, pulled_at=timezone.now(), **{**values, **fields})


def test_auto_creation_into_another_service_is_refused_with_the_reason():
    pulled()
    with pytest.raises(ValidationError) as caught:
        address_configuration_create(address="whatsapp:+14155550111", auto_creation_enabled=True, **{FIELD: OTHER_IS})
    (reason,) = caught.value.message_dict[FIELD]
    assert OTHER_IS in reason and DEFAULT_IS in reason and "out of the console's reach" in reason
    assert not AddressConfiguration.objects.exists() and not SyncOperation.objects.exists()


@pytest.mark.parametrize("service", ["", DEFAULT_IS])
def test_auto_creation_into_the_default_service_is_queued(service):
    pulled()
    row = address_configuration_create(address="whatsapp:+14155550111", auto_creation_enabled=True, **{FIELD: service})
    assert row.sync_state == "pending" and SyncOperation.objects.filter(operation="address_configuration.create")


def test_a_service_cannot_be_judged_before_the_configuration_is_pulled():
    with pytest.raises(ValidationError) as caught:
        address_configuration_create(address="whatsapp:+14155550111", auto_creation_enabled=True, **{FIELD: OTHER_IS})
    assert "twilio_pull --resources configuration" in caught.value.message_dict[FIELD][0]
    # Leaving it empty (the default service) needs no configuration.
    assert address_configuration_create(address="whatsapp:+14155550111", auto_creation_enabled=True).pk


def test_moving_a_configuration_to_another_service_is_refused_other_edits_are_not():
    pulled()
    row = AddressConfiguration.objects.create(
        address="whatsapp:+14155550111", sid=make_sid("IG"), sync_state="synced", auto_creation_enabled=True
    )
    with pytest.raises(ValidationError) as caught:
        address_configuration_update(address_configuration=row, data={FIELD: OTHER_IS})
    assert FIELD in caught.value.message_dict
    assert not SyncOperation.objects.exists()

    # A row pulled from Twilio that already points elsewhere can still be renamed: only moving is refused.
    AddressConfiguration.objects.filter(pk=row.pk).update(**{FIELD: OTHER_IS})
    row.refresh_from_db()
    address_configuration_update(address_configuration=row, data={"friendly_name": "Couriers"})
    assert SyncOperation.objects.filter(operation="address_configuration.update").count() == 1


def test_the_admin_form_shows_the_refusal_beside_the_field(admin_client):
    pulled()
    response = admin_client.post(
        reverse("admin:conversations_ops_addressconfiguration_add"),
        {
            "type": "whatsapp",
            "address": "whatsapp:+14155550111",
            "auto_creation_enabled": "on",
            FIELD: OTHER_IS,
        },
    )
    assert response.status_code == 200
    assert "out of the console's reach" in " ".join(response.context["adminform"].form.errors[FIELD])
    assert not AddressConfiguration.objects.exists()


def test_timer_warnings_say_what_a_default_timer_ends(settings):
    settings.PAIRING_REPLY_TIMEOUT_MINUTES = 30
    assert timer_warnings(None) == []
    assert timer_warnings(pulled()) == []
    AccountConfiguration.objects.all().delete()

    (closed,) = timer_warnings(pulled(default_closed_timer="PT10M"))
    assert "PT10M" in closed and "10 minutes" in closed and "pairings" in closed
    assert "closed before they can connect" in closed  # 10 minutes < the 30 a customer has to answer

    AccountConfiguration.objects.all().delete()
    closed_later, inactive = timer_warnings(pulled(default_closed_timer="P1D", default_inactive_timer="PT1H"))
    assert "1 day" in closed_later and "before they can connect" not in closed_later
    assert "inactive" in inactive and "1 hour" in inactive


def test_the_home_page_warns_of_a_default_closed_timer(admin_client):
    home = reverse("admin:index")
    assert "account-configuration-warnings" not in admin_client.get(home).content.decode()
    pulled(default_closed_timer="PT10M")
    page = admin_client.get(home).content.decode()
    assert 'id="account-configuration-warnings"' in page and "default closed timer (PT10M)" in page


def test_address_configuration_pages_warn_of_timers_and_of_addresses_in_another_service(admin_client):
    pulled(default_inactive_timer="PT5M")
    elsewhere = AddressConfiguration.objects.create(
        address="whatsapp:+14155550111",
        sid=make_sid("IG"),
        sync_state="synced",
        auto_creation_enabled=True,
        **{FIELD: OTHER_IS},
    )
    fine = AddressConfiguration.objects.create(
        address="whatsapp:+14155550122", sid=make_sid("IG", 2), sync_state="synced", auto_creation_enabled=True
    )
    listing = admin_client.get(reverse("admin:conversations_ops_addressconfiguration_changelist")).content.decode()
    assert "default inactive timer (PT5M)" in listing
    assert f"{elsewhere.address}: Conversations auto-created into {OTHER_IS}" in listing
    assert f"{fine.address}:" not in listing.split('id="account-configuration-warnings"')[1].split("</div>")[0]

    own_page = admin_client.get(
        reverse("admin:conversations_ops_addressconfiguration_change", args=[elsewhere.pk])
    ).content.decode()
    assert f"auto-created into {OTHER_IS}" in own_page
    other_page = admin_client.get(
        reverse("admin:conversations_ops_addressconfiguration_change", args=[fine.pk])
    ).content.decode()
    assert "auto-created into" not in other_page and "default inactive timer (PT5M)" in other_page
