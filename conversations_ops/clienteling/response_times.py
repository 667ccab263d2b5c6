"""Response-time figures (issue 19, item 6): how long customers wait for their advisor's reply.

A *wait* starts at a customer's message that follows a business message (or opens the
conversation): several customer messages in a row are one wait, counted from the first
unanswered one. It ends at the next business message in the same conversation (the
advisor's chat reply or a template sent from the console); a wait with no reply yet is
*unanswered*. Times are Twilio's (`date_created`): a reply still queued in the outbox has
not reached the customer, so it does not end the wait.

The database pairs each wait with its reply in one query, with two window functions over
each conversation's messages in time order (LAG: was the previous message the customer's
too? MIN over the following rows: the next business message), which SQLite (3.28+) and
PostgreSQL both run. Percentiles are not portable SQL (PostgreSQL has percentile_cont,
SQLite nothing), so the database returns one row per wait of the last 30 days and Python
sorts them: a few numbers per wait, whatever the number of advisors (no query per advisor).

Waits count for the customer's current advisor (reassignment moves a customer's history with
them, as the row rule does) and for each team that advisor belongs to. Which customers count
is `customers_visible_to`: an advisor gets their own figures, a manager their teams'.
A run of customer messages that began before the 30 days counts from its first message inside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from conversations_ops import permissions as rules
from conversations_ops.models import Customer, CustomerConversation, Direction, Message, SyncState, TeamMembership

from .selectors import customers_visible_to

PERIODS = (7, 30)  # days, newest first on the page


@dataclass(frozen=True)
class Wait:
    advisor_id: int | None
    days: int  # the shortest of PERIODS it falls in
    seconds: float | None  # None: no reply yet


@dataclass(frozen=True)
class Figures:
    answered: int
    unanswered: int
    median: timedelta | None
    p90: timedelta | None


@dataclass(frozen=True)
class FigureRow:
    label: str
    periods: dict  # days -> Figures


def percentile(sorted_seconds: list[float], fraction: float) -> timedelta | None:
    """Nearest rank: the smallest time within which `fraction` of the replies came (no interpolation,
    so every figure is a wait that happened)."""
    if not sorted_seconds:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_seconds)))
    return timedelta(seconds=sorted_seconds[rank - 1])


def figures_of(waits: list[Wait]) -> Figures:
    answered = sorted(w.seconds for w in waits if w.seconds is not None)
    return Figures(
        answered=len(answered),
        unanswered=len(waits) - len(answered),
        median=percentile(answered, 0.5),
        p90=percentile(answered, 0.9),
    )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# How long a wait lasted, in seconds, in each database's words (SQLite keeps timestamps as text).
_SECONDS = {
    "sqlite": "(julianday(replied) - julianday(started)) * 86400.0",
    "postgresql": "EXTRACT(EPOCH FROM (replied - started))",
}


def waits(customers: QuerySet, *, now: datetime) -> list[Wait]:
    """Every wait of `customers` in the longest of PERIODS, with its period and length: one query. The
    database computes both, so Python never parses a timestamp (that cost more than the query)."""
    visible_sql, visible_params = customers.values("pk").query.sql_with_params()
    message, link, customer = _table(Message), _table(CustomerConversation), _table(Customer)
    order = "PARTITION BY m.conversation_id ORDER BY m.date_created, m.id"
    *shorter, longest = sorted(PERIODS)
    period = " ".join(f"WHEN started >= %s THEN {days}" for days in shorter)
    sql = f"""
        SELECT advisor_id, CASE {period} ELSE {longest} END, {_SECONDS[connection.vendor]} FROM (
            SELECT c.advisor_id AS advisor_id, m.direction AS direction, m.date_created AS started,
                   LAG(m.direction) OVER ({order}) AS previous,
                   MIN(CASE WHEN m.direction = %s THEN m.date_created END)
                       OVER ({order} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS replied
            FROM {message} m
            JOIN {link} l ON l.conversation_id = m.conversation_id
            JOIN {customer} c ON c.id = l.customer_id
            WHERE m.date_created >= %s AND m.sync_state <> %s AND c.id IN ({visible_sql})
        ) timeline
        WHERE direction = %s AND (previous IS NULL OR previous <> %s)
    """
    params = [now - timedelta(days=days) for days in shorter]
    params += [Direction.OUTBOUND, now - timedelta(days=longest), SyncState.DELETED_REMOTELY, *visible_params]
    params += [Direction.INBOUND, Direction.INBOUND]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Rounded to the millisecond: julianday() is a float of days.
        return [
            Wait(advisor_id, days, None if seconds is None else round(float(seconds), 3))
            for advisor_id, days, seconds in cursor
        ]


def response_time_figures(user, *, now: datetime | None = None) -> dict:
    """Per advisor and per team (the teams `user` manages; every team for whoever sees every customer),
    for each period: answered waits, median, 90th percentile and unanswered waits. Advisors get no team rows:
    a team's figures hold their colleagues' customers."""
    now = now or timezone.now()
    visible = customers_visible_to(user)
    by_period = {days: {} for days in PERIODS}  # days -> advisor id -> waits: each wait is looked at once
    for wait in waits(visible, now=now):
        for days in PERIODS:
            if wait.days <= days:
                by_period[days].setdefault(wait.advisor_id, []).append(wait)

    # Every advisor with visible customers gets a row, also one whose customers did not write lately.
    advisor_ids = set(visible.values_list("advisor_id", flat=True).distinct())
    names = _usernames(advisor_ids - {None})
    advisors = [
        FigureRow(label=names.get(advisor_id, "Unassigned queue"), periods=_periods(by_period, {advisor_id}))
        for advisor_id in sorted(advisor_ids, key=lambda pk: (pk is None, names.get(pk, "")))
    ]
    return {"advisors": advisors, "teams": _team_rows(user, by_period), "now": now, "periods": PERIODS}


def _usernames(ids) -> dict:
    user_model = get_user_model()
    return {pk: name for pk, name in user_model.objects.filter(pk__in=ids).values_list("pk", user_model.USERNAME_FIELD)}


def _team_rows(user, by_period: dict) -> list[FigureRow]:
    memberships = TeamMembership.objects.select_related("team").order_by("team__name")
    if not (user.is_superuser or rules.user_may(user, rules.VIEW_ALL_CUSTOMERS)):
        memberships = memberships.filter(team__managers=user)
    members: dict = {}
    for membership in memberships:
        members.setdefault(str(membership.team), set()).add(membership.advisor_id)
    return [FigureRow(label=team, periods=_periods(by_period, ids)) for team, ids in members.items()]


def _periods(by_period: dict, advisor_ids: set) -> dict:
    return {
        days: figures_of([w for advisor_id in advisor_ids for w in by_advisor.get(advisor_id, ())])
        for days, by_advisor in by_period.items()
    }
