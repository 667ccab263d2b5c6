"""The auditors' consent report (issue 20, item 5): per business sender, how many people are opted in,
opted out or unknown now, and the changes over a period by how they came about.

Aggregated in the database: four queries whatever the number of senders (the states now, the people
reached with nothing recorded, the customers with nothing recorded and no conversation yet, the
period's changes by sender and how). The period's changes
themselves (the CSV) are read with `period_changes`, streamed by the caller.

"Unknown" counts the people the console reaches through that sender (conversation participants with a
WhatsApp or SMS address, and advisors' customers on that sender who have no conversation yet) who have
neither opted in nor opted out there, plus registry entries still unknown: whether they may get a
business-initiated message is the template rules' question.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from conversations_ops.models import Consent, ConsentChange, ConsentHow, ConsentState, Customer, Participant

DEFAULT_DAYS = 30
DECIDED = (ConsentState.OPTED_IN, ConsentState.OPTED_OUT)
# The report's columns, opting in then opting out (ConsentHow's order).
HOWS = tuple(ConsentHow)


@dataclass
class SenderFigures:
    sender: str
    opted_in: int = 0
    opted_out: int = 0
    unknown: int = 0
    changes: dict[str, int] = field(default_factory=dict)  # how -> changes in the period

    @property
    def changes_total(self) -> int:
        return sum(self.changes.values())

    def changes_by_how(self) -> list[tuple[str, int]]:
        return [(how, self.changes.get(how, 0)) for how in HOWS]


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 30 days, today included (the console's time zone)."""
    today = today or timezone.localdate()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[the first day's midnight, the day after the last's) in the console's time zone: both days whole."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), zone)
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), zone)
    return start, end


def period_changes(date_from: date, date_to: date, *, sender: str = "", how: str = ""):
    """The period's changes, oldest first, with their registry entry (for the CSV)."""
    start, end = period_bounds(date_from, date_to)
    changes = ConsentChange.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if sender:
        changes = changes.filter(consent__sender=sender)
    if how:
        changes = changes.filter(how=how)
    return changes.select_related("consent").order_by("occurred_at", "id")


def consent_report(date_from: date, date_to: date) -> list[SenderFigures]:
    """One row per sender that has a registry entry, a participant, a customer or a change, sorted by sender."""
    rows: dict[str, SenderFigures] = {}

    def row(sender: str) -> SenderFigures:
        return rows.setdefault(sender, SenderFigures(sender=sender))

    now = Consent.objects.values("sender").annotate(
        opted_in=Count("pk", filter=Q(state=ConsentState.OPTED_IN)),
        opted_out=Count("pk", filter=Q(state=ConsentState.OPTED_OUT)),
        unknown=Count("pk", filter=~Q(state__in=DECIDED)),
    )
    for entry in now.order_by("sender"):
        figures = row(entry["sender"])
        figures.opted_in, figures.opted_out, figures.unknown = entry["opted_in"], entry["opted_out"], entry["unknown"]

    # People reached through a sender who decided nothing there (a registry entry still unknown is counted above).
    recorded = Consent.objects.filter(
        address=OuterRef("messaging_binding_address"), sender=OuterRef("messaging_binding_proxy_address")
    )
    unrecorded = (
        Participant.objects.exclude(messaging_binding_address="")
        .exclude(messaging_binding_proxy_address="")
        .filter(~Exists(recorded))
        .values("messaging_binding_proxy_address")
        .annotate(people=Count("messaging_binding_address", distinct=True))
        .order_by()
    )
    for entry in unrecorded:
        row(entry["messaging_binding_proxy_address"]).unknown += entry["people"]

    # Customers on a sender (imported, added) nobody has reached yet: not participants, so not counted above.
    customers = (
        Customer.objects.annotate(
            person=Customer.address_expression(),
            sender_address=F("sender__address"),
        )
        .exclude(person="")
        .filter(
            ~Exists(Consent.objects.filter(address=OuterRef("person"), sender=OuterRef("sender_address"))),
            ~Exists(
                Participant.objects.filter(
                    messaging_binding_address=OuterRef("person"),
                    messaging_binding_proxy_address=OuterRef("sender_address"),
                )
            ),
        )
        .values("sender_address")
        .annotate(people=Count("pk"))
        .order_by()
    )
    for entry in customers:
        row(entry["sender_address"]).unknown += entry["people"]

    start, end = period_bounds(date_from, date_to)
    changed = (
        ConsentChange.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .values("consent__sender", "how")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for entry in changed:
        row(entry["consent__sender"]).changes[entry["how"]] = entry["n"]
    return [rows[sender] for sender in sorted(rows)]
