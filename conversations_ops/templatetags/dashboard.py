"""The "Needs attention" panel of the admin home page: each count a link to the filtered list.

The counts come from selectors/dashboard.py; this module only words them and points
each at the admin list that shows the same rows, so staff can act from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.apps import apps
from django.urls import reverse

from conversations_ops.selectors.dashboard import CONNECTING_TOO_LONG, Attention, Reason, dashboard_attention

register = template.Library()


@dataclass(frozen=True)
class SubLink:
    label: str
    count: int
    url: str


@dataclass(frozen=True)
class Item:
    key: str  # stable name for tests and CSS
    label: str
    count: int
    url: str = ""
    reasons: list[Reason] = field(default_factory=list)
    links: list[SubLink] = field(default_factory=list)


def changelist(model_name: str, query: str = "") -> str:
    url = reverse(f"admin:conversations_ops_{model_name}_changelist")
    return f"{url}?{query}" if query else url


@register.simple_tag(takes_context=True)
def dashboard_attention_panel(context) -> dict:
    """{"shown", "items", "template_alerts", "all_clear"} for the signed-in user.

    `shown` is false for someone who may view none of the models counted: for them
    "All clear" would claim what they cannot see.
    """
    attention = attention_for(context["request"])
    items = attention_items(attention)
    return {
        "shown": attention.checked,
        "items": items,
        "template_alerts": bool(attention.template_alerts),
        "all_clear": not items and not attention.template_alerts,
    }


def attention_for(request) -> Attention:
    """The signed-in user's counts, read once per request: the "Your work" panels above this one
    show some of the same counts (templatetags/your_work.py) and must not read them again."""
    if not hasattr(request, "_dashboard_attention"):
        request._dashboard_attention = dashboard_attention(user=request.user)
    return request._dashboard_attention


def failed_send_items(attention: Attention) -> list[Item]:
    """Failed pushes and failed deliveries, zero counts included: what an ops person acts on."""
    return [*_sync_items(attention, rows=False), *_delivery_items(attention)]


def attention_items(attention: Attention) -> list[Item]:
    items = [
        *_sync_items(attention),
        *_delivery_items(attention),
        *_pairing_items(attention),
        *_webhook_items(attention),
    ]
    return [item for item in items if item.count]


def _sync_items(attention: Attention, *, rows: bool = True):
    if attention.failed_pushes is not None:
        yield Item(
            "failed_pushes",
            "Failed pushes to Twilio",
            attention.failed_pushes.total,
            changelist("syncoperation", "state__exact=failed"),
            attention.failed_pushes.reasons,
        )
    if not rows:
        return
    # The records themselves, for users who fix them from their own list (Retry failed).
    links = [
        SubLink(
            str(apps.get_model("conversations_ops", name)._meta.verbose_name_plural).capitalize(),
            n,
            changelist(name, "sync_state__exact=failed"),
        )
        for name, n in sorted(attention.failed_rows.items())
    ]
    if links:
        yield Item("failed_rows", "Records whose last push failed", sum(link.count for link in links), links=links)


def _delivery_items(attention: Attention):
    if attention.failed_deliveries is not None:
        yield Item(
            "failed_deliveries",
            "Messages that failed to deliver in the last 24 h",
            attention.failed_deliveries.total,
            changelist("message", "delivery=attention&when=24h"),
            attention.failed_deliveries.reasons,
        )


def _pairing_items(attention: Attention):
    if attention.pairings is None:
        return
    minutes = int(CONNECTING_TOO_LONG.total_seconds() // 60)
    labels = {
        "awaiting_customer": "Pairings waiting for the customer past half their reply time",
        "connecting": f"Pairings connecting the courier for over {minutes} minutes",
        "failed": "Failed pairings (retry or abandon)",
    }
    queries = {
        "awaiting_customer": "waiting=awaiting_customer",
        "connecting": "waiting=connecting",
        "failed": "state__exact=failed",
    }
    for state, label in labels.items():
        yield Item(f"pairings_{state}", label, attention.pairings[state], changelist("pairing", queries[state]))


def _webhook_items(attention: Attention):
    if attention.webhook_events is None:
        return
    labels = {
        "failed": "Webhook events that failed in the last 24 h",
        "unhandled": "Unhandled webhook events in the last 24 h",
    }
    for state, label in labels.items():
        yield Item(
            f"webhooks_{state}",
            label,
            attention.webhook_events[state],
            changelist("webhookevent", f"processing_state__exact={state}&received=24h"),
        )
