"""The home page's "Your work" counts: what waits for each role, each read with one query.

Counts the "Needs attention" panel already makes (failed pushes, failed deliveries, failed
address configurations) are not made again here: the work panels take them from that panel's
`Attention` (selectors/dashboard.py), so a rule is written once and the page reads it once.
What is here is what only the work panels count. Each function that counts has a twin that
returns the rows, which the list a count links to filters with: the count and the list agree
because they are the same query.

Clienteling's counts (an advisor's "Needs reply", a manager's unassigned queue) stay in
clienteling/, which owns the row rule; the template tag (templatetags/your_work.py) asks it.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from conversations_ops.models import AWAITING_APPROVAL_STATUSES, Pairing, PairingState, Template
from conversations_ops.models.base import LIVE_ON_TWILIO

# The pairings an ops person follows: started, waiting for someone (the attention panel counts the
# ones waiting too long; these are all of them).
PAIRINGS_WAITING = (PairingState.AWAITING_CUSTOMER, PairingState.CONNECTING)


def templates_awaiting_approval(queryset: QuerySet | None = None) -> QuerySet:
    """Templates submitted to WhatsApp and not yet decided, still on Twilio (approval_status is indexed)."""
    queryset = Template.objects.all() if queryset is None else queryset
    return queryset.filter(LIVE_ON_TWILIO, approval_status__in=AWAITING_APPROVAL_STATUSES)


def templates_awaiting_approval_count() -> int:
    return templates_awaiting_approval().count()


def pairings_waiting_counts() -> dict[str, int]:
    """{"awaiting_customer": n, "connecting": n}: one read on pairing_state_idx (state leads it)."""
    return Pairing.objects.filter(state__in=PAIRINGS_WAITING).aggregate(
        **{state.value: Count("pk", filter=Q(state=state)) for state in PAIRINGS_WAITING}
    )
