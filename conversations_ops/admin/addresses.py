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
from .masked import MaskedFieldsMixin
from .pushes import PushedMirrorAdmin


@admin.register(AddressConfiguration)
class AddressConfigurationAdmin(MaskedFieldsMixin, PushedMirrorAdmin):
    list_display = ("address", "friendly_name", "type", "auto_creation_enabled", "auto_creation_type")
    list_filter = ("type", "auto_creation_enabled", "auto_creation_type")
    search_fields = ("sid__exact", "address__startswith")
    create_only_fields = ("type", "address", "address_country")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Read Twilio before the admin opens its transaction: an HTTP read must not hold the
        # database's write lock (SQLite's IMMEDIATE transactions) while Twilio answers.
        obj = self.get_object(request, object_id) if object_id else None
        wanted = obj is not None or object_id is None  # a missing row: the admin only redirects
        if wanted and self._offers_senders(request, obj) and not hasattr(request, "owned_senders"):
            request.owned_senders = owned_senders()
            if request.owned_senders.failure is not None and request.method == "GET":
                self.message_user(
                    request,
                    f"The account's senders could not be read from Twilio: {request.owned_senders.failure} "
                    "You can still type the address below.",
                    messages.WARNING,
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _offers_senders(self, request, obj) -> bool:
        """The address can still be chosen: adding, or changing a row not yet on Twilio."""
        editable = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        return editable and "address" not in self.get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        owned = getattr(request, "owned_senders", None)  # read once per request, by changeform_view
        if owned is None or not self._offers_senders(request, obj):
            return form
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
