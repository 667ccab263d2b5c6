from django.contrib import admin

from conversations_ops.models import AddressConfiguration
from conversations_ops.services.address_configurations import (
    AUTO_CREATION_FIELDS,
    address_configuration_create,
    address_configuration_delete,
    address_configuration_update,
)

from .pushes import PushedMirrorAdmin


@admin.register(AddressConfiguration)
class AddressConfigurationAdmin(PushedMirrorAdmin):
    list_display = ("address", "friendly_name", "type", "auto_creation_enabled", "auto_creation_type")
    list_filter = ("type", "auto_creation_enabled", "auto_creation_type")
    search_fields = ("sid__exact", "address__startswith")
    create_only_fields = ("type", "address", "address_country")

    def create_row(self, request, data):
        auto_creation = {name: data[name] for name in AUTO_CREATION_FIELDS if name in data}
        return address_configuration_create(
            address=data["address"],
            type=data.get("type"),
            friendly_name=data.get("friendly_name", ""),
            address_country=data.get("address_country", ""),
            user=request.user,
            **auto_creation,
        )

    def update_row(self, request, row, data):
        return address_configuration_update(address_configuration=row, data=data, user=request.user)

    def delete_row(self, request, row):
        return address_configuration_delete(address_configuration=row, user=request.user)
