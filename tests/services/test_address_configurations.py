import pytest
from django.core.exceptions import ValidationError

from conversations_ops.models import AddressConfiguration, OperationState, SyncOperation
from conversations_ops.services.address_configurations import (
    address_configuration_create,
    address_configuration_delete,
    address_configuration_update,
)
from tests.helpers.ids import BUSINESS_SMS
from tests.services.helpers import key_of, ops_of

pytestmark = pytest.mark.django_db


def test_create_derives_the_type_and_queues_one_create(admin_user):
    row = address_configuration_create(
        address="whatsapp:+14155550111",
        friendly_name="Couriers",
        auto_creation_enabled=True,
        auto_creation_type="webhook",
        auto_creation_webhook_url="https://example.com/auto",
        auto_creation_webhook_filters=["onMessageAdded"],
        user=admin_user,
    )
    (op,) = ops_of(row)
    assert (row.type, row.sync_state) == ("whatsapp", "pending")
    assert (op.operation, op.ordering_key, op.requested_by) == ("address_configuration.create", key_of(row), admin_user)


def test_create_sms_address():
    assert address_configuration_create(address=BUSINESS_SMS).type == "sms"


def test_webhook_type_without_url_names_the_field():
    with pytest.raises(ValidationError) as excinfo:
        address_configuration_create(address="whatsapp:+14155550111", auto_creation_type="webhook")
    assert "auto_creation_webhook_url" in excinfo.value.message_dict
    assert not AddressConfiguration.objects.exists() and not SyncOperation.objects.exists()


def test_an_address_in_use_names_the_field_until_twilio_deletes_the_other(address_configuration):
    with pytest.raises(ValidationError) as excinfo:
        address_configuration_create(address=address_configuration.address)
    assert excinfo.value.message_dict == {"address": ["Another address configuration already uses this address."]}

    AddressConfiguration.objects.filter(pk=address_configuration.pk).update(sync_state="deleted_remotely")
    again = address_configuration_create(address=address_configuration.address)
    assert again.pk != address_configuration.pk and again.sync_state == "pending"


def test_unknown_argument_is_a_programming_error():
    with pytest.raises(TypeError):
        address_configuration_create(address=BUSINESS_SMS, auto_creation_colour="blue")


def test_update_queues_the_changed_fields(address_configuration, admin_user):
    address_configuration_update(
        address_configuration=address_configuration,
        data={"friendly_name": "Night shift", "auto_creation_studio_retry_count": None},
        user=admin_user,
    )
    (op,) = ops_of(address_configuration)
    assert (op.operation, op.payload) == ("address_configuration.update", {"fields": ["friendly_name"]})


def test_the_address_of_a_pushed_configuration_cannot_change(address_configuration):
    with pytest.raises(ValidationError) as excinfo:
        address_configuration_update(address_configuration=address_configuration, data={"address": BUSINESS_SMS})
    assert "address" in excinfo.value.message_dict
    assert ops_of(address_configuration) == []


def test_an_unpushed_configuration_may_change_its_address():
    row = address_configuration_create(address="whatsapp:+14155550111")
    address_configuration_update(address_configuration=row, data={"address": "whatsapp:+14155550112"})
    assert [op.operation for op in ops_of(row)] == ["address_configuration.create", "address_configuration.update"]


def test_delete_queues_with_the_sid(address_configuration):
    op = address_configuration_delete(address_configuration=address_configuration)
    assert (op.operation, op.payload) == ("address_configuration.delete", {"sid": address_configuration.sid})
    assert AddressConfiguration.objects.filter(pk=address_configuration.pk).exists()


def test_delete_of_an_unpushed_configuration_cancels_its_create():
    row = address_configuration_create(address="whatsapp:+14155550111")
    (create,) = ops_of(row)
    assert address_configuration_delete(address_configuration=row) is None
    assert not AddressConfiguration.objects.exists()
    assert SyncOperation.objects.get(pk=create.pk).state == OperationState.CANCELLED
