"""The webhook inbox's list filters: fixed choices, so no DISTINCT or COUNT over a large table."""

from django.contrib import admin

from conversations_ops.webhooks.parsing import NATURAL_KEYS, PRE_EVENTS

KNOWN_TYPES = (*NATURAL_KEYS, *sorted(PRE_EVENTS))
OTHER = "__other__"


class EventTypeFilter(admin.SimpleListFilter):
    title = "event type"
    parameter_name = "type"

    def lookups(self, request, model_admin):
        return [*((name, name) for name in KNOWN_TYPES), (OTHER, "Other (unknown to the console)")]

    def queryset(self, request, queryset):
        if self.value() == OTHER:
            return queryset.exclude(event_type__in=KNOWN_TYPES)
        if self.value():
            return queryset.filter(event_type=self.value())
        return queryset


class SignatureFilter(admin.SimpleListFilter):
    title = "signature"
    parameter_name = "signature"
    CHOICES = {
        "sha1": ("Valid, HMAC-SHA1 (auth token)", {"signature_valid": True, "signature_algorithm": "HMAC_SHA1"}),
        "sha256": ("Valid, HMAC-SHA256 (signing key)",
                   {"signature_valid": True, "signature_algorithm": "HMAC_SHA256"}),
        "invalid": ("Not valid", {"signature_valid": False}),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.CHOICES.items()]

    def queryset(self, request, queryset):
        choice = self.CHOICES.get(self.value())
        return queryset.filter(**choice[1]) if choice else queryset
