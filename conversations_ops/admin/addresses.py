from django.contrib import admin, messages

from conversations_ops.models import AddressConfiguration
from conversations_ops.selectors.senders import owned_senders
from conversations_ops.services.address_configurations import (
    AUTO_CREATION_FIELDS,
    address_configuration_create,
    address_configuration_delete,
    address_configuration_update,
)

from .address_forms import with_sender_choices
from .pushes import PushedMirrorAdmin


@admin.register(AddressConfiguration)
class AddressConfigurationAdmin(PushedMirrorAdmin):
    list_display = ("address", "friendly_name", "type", "auto_creation_enabled", "auto_creation_type")
    list_filter = ("type", "auto_creation_enabled", "auto_creation_type")
    search_fields = ("sid__exact", "address__startswith")
    create_only_fields = ("type", "address", "address_country")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if not editable or "address" in self.get_readonly_fields(request, obj):
            return form  # nothing to pick: no need to ask Twilio
        # One read per request: the admin builds the form more than once (e.g. to re-render a refusal).
        owned = getattr(request, "owned_senders", None)
        if owned is None:
            owned = request.owned_senders = owned_senders()
            if owned.failure is not None and request.method == "GET":
                self.message_user(
                    request,
                    f"The account's senders could not be read from Twilio: {owned.failure} "
                    "You can still type the address below.",
                    messages.WARNING,
                )
        return with_sender_choices(form, owned)

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
