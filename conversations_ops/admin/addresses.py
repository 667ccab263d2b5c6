from django.contrib import admin, messages

from conversations_ops.models import AddressConfiguration
from conversations_ops.selectors.account_lists import account_lists
from conversations_ops.selectors.senders import owned_senders
from conversations_ops.services.address_configurations import (
    AUTO_CREATION_FIELDS,
    address_configuration_create,
    address_configuration_delete,
    address_configuration_update,
)

from .address_forms import auto_creation_fieldsets, with_auto_creation_choices, with_sender_choices
from .masked import MaskedFieldsMixin
from .pushes import PushedMirrorAdmin


@admin.register(AddressConfiguration)
class AddressConfigurationAdmin(MaskedFieldsMixin, PushedMirrorAdmin):
    list_display = ("address", "friendly_name", "type", "auto_creation_enabled", "auto_creation_type")
    list_filter = ("type", "auto_creation_enabled", "auto_creation_type")
    search_fields = ("sid__exact", "address__startswith")
    create_only_fields = ("type", "address", "address_country")

    class Media:
        # Shows the chosen auto-creation type's fieldset only; the page works without it.
        js = ("conversations_ops/address_auto_creation.js",)

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
                    "The account's senders, Studio flows and Conversation Services could not be read from Twilio: "
                    f"{request.owned_senders.failure} You can still type the address and the flow's SID below, "
                    "and leave the service empty for the default one.",
                    messages.WARNING,
                )
        if wanted and self._editable(request, obj) and not hasattr(request, "studio_flows"):
            senders = getattr(request, "owned_senders", None)
            known = senders.failure if senders is not None else None
            request.studio_flows, request.conversation_services = account_lists(known_failure=known)
            failure = request.studio_flows.failure or request.conversation_services.failure
            if failure is not None and known is None and request.method == "GET":  # else said once above
                self.message_user(
                    request,
                    f"The account's Studio flows or Conversation Services could not be read from Twilio: {failure} "
                    "You can still type the flow's SID below, and leave the service empty for the default one.",
                    messages.WARNING,
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _editable(self, request, obj) -> bool:
        return self.has_change_permission(request, obj) if obj else self.has_add_permission(request)

    def _offers_senders(self, request, obj) -> bool:
        """The address can still be chosen: adding, or changing a row not yet on Twilio."""
        return self._editable(request, obj) and "address" not in self.get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self._editable(request, obj):
            # Read once per request, by changeform_view (None when not read: the fields stay typed).
            form = with_auto_creation_choices(
                form,
                flows=getattr(request, "studio_flows", None),
                services=getattr(request, "conversation_services", None),
            )
        owned = getattr(request, "owned_senders", None)
        if owned is None or not self._offers_senders(request, obj):
            return form
        return with_sender_choices(form, owned)

    def get_fieldsets(self, request, obj=None):
        # Only the auto-creation part is regrouped; the rest is the mirror admin's, whatever it becomes.
        return auto_creation_fieldsets(super().get_fieldsets(request, obj))

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
