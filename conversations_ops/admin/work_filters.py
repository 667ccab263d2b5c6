"""List filters that show exactly the rows a "Your work" count on the home page counts.

Each filter narrows with the very query its count is made of (selectors/work.py, the row rule of
clienteling/selectors.py), so following a count's link lists as many rows as it said.
"""

from django.contrib import admin

from conversations_ops.clienteling.selectors import unassigned_queue
from conversations_ops.selectors.work import templates_awaiting_approval


class AwaitingApprovalFilter(admin.SimpleListFilter):
    """Templates submitted to WhatsApp, not yet approved or rejected (Twilio's received / pending)."""

    title = "WhatsApp approval"
    parameter_name = "approval"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting for approval")]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return templates_awaiting_approval(queryset)
        return queryset


class UnassignedQueueFilter(admin.SimpleListFilter):
    """Customers waiting for a person: nobody owns them, or their last message could not be routed.

    The list is already narrowed to the customers the viewer may see; the queue is the same rule's
    (a manager: their teams' senders' queue)."""

    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("unassigned", "Unassigned queue")]

    def queryset(self, request, queryset):
        if self.value() == "unassigned":
            return queryset.filter(pk__in=unassigned_queue(request.user).values("pk"))
        return queryset
