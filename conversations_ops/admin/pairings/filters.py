"""The pairing list's "waiting too long" filter: the rows the home page counts as needing attention."""

from django.contrib import admin
from django.utils import timezone

from conversations_ops.selectors.dashboard import (
    CONNECTING_TOO_LONG,
    pairings_awaiting_too_long,
    pairings_connecting_too_long,
)


class WaitingTooLongFilter(admin.SimpleListFilter):
    title = "waiting too long"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        minutes = int(CONNECTING_TOO_LONG.total_seconds() // 60)
        return [
            ("awaiting_customer", "For the customer, past half their reply time"),
            ("connecting", f"Connecting the courier for over {minutes} minutes"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "awaiting_customer":
            return queryset.filter(pk__in=pairings_awaiting_too_long(now=now))
        if self.value() == "connecting":
            return queryset.filter(pk__in=pairings_connecting_too_long(now=now).values("pk"))
        return queryset
