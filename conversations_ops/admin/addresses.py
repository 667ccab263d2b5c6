from django.contrib import admin

from conversations_ops.models import AddressConfiguration

from .base import TwilioMirrorAdmin


@admin.register(AddressConfiguration)
class AddressConfigurationAdmin(TwilioMirrorAdmin):
    list_display = ("address", "friendly_name", "type", "auto_creation_enabled", "auto_creation_type")
    list_filter = ("type", "auto_creation_enabled", "auto_creation_type")
    search_fields = ("sid__exact", "address__startswith")
