"""The webhook inbox's list filters: fixed choices, so no DISTINCT or COUNT over a large table."""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone

from conversations_ops.models import WebhookEvent
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


class ConversationFilter(admin.SimpleListFilter):
    """One conversation's events: the "Webhook events" link of a conversation's or an event's page.

    Exact and indexed; listed only when chosen, so the sidebar never lists conversations."""

    title = "conversation"
    parameter_name = "conversation_sid"

    def lookups(self, request, model_admin):
        return [(self.value(), self.value())] if self.value() else []

    def queryset(self, request, queryset):
        return queryset.filter(conversation_sid=self.value()) if self.value() else queryset


class SignatureFilter(admin.SimpleListFilter):
    title = "signature"
    parameter_name = "signature"
    CHOICES = {
        "sha1": ("Valid, HMAC-SHA1 (auth token)", {"signature_valid": True, "signature_algorithm": "HMAC_SHA1"}),
        "sha256": ("Valid, HMAC-SHA256 (signing key)", {"signature_valid": True, "signature_algorithm": "HMAC_SHA256"}),
        "invalid": ("Not valid", {"signature_valid": False}),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in self.CHOICES.items()]

    def queryset(self, request, queryset):
        choice = self.CHOICES.get(self.value())
        return queryset.filter(**choice[1]) if choice else queryset


class ReceivedFilter(admin.SimpleListFilter):
    """Events received in the last 24 hours, as the home page counts them.

    received_at has no index (each index costs every webhook INSERT), but ids grow with
    arrival: the newest event received before the window, found by walking back from the
    newest id (it reads only the window's events), bounds an id range that the primary
    key and the inbox index (processing_state, id) serve.
    """

    title = "received"
    parameter_name = "received"
    HOURS = {"24h": 24}

    def lookups(self, request, model_admin):
        return [("24h", "Last 24 hours")]

    def queryset(self, request, queryset):
        hours = self.HOURS.get(self.value())
        if hours is None:
            return queryset
        since = timezone.now() - timedelta(hours=hours)
        before = WebhookEvent.objects.filter(received_at__lt=since).order_by("-id").values_list("id", flat=True).first()
        queryset = queryset.filter(received_at__gte=since)  # exact at the edge; the id range does the narrowing
        return queryset.filter(id__gt=before) if before is not None else queryset
