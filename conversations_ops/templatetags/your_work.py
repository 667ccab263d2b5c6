"""The home page's "Your work" panels: first on the page, one per staff group the person is in.

A superuser sees every panel. Each panel offers its group's daily work as links, and what waits
as counts that link to the list showing exactly those rows (the list filters of
admin/work_filters.py and the lists' own filters, built from the same queries as the counts).
A link is offered only to whoever may follow it: the admin's own permission hooks decide
(`has_add_permission`, ...), or the console's rules (conversations_ops.permissions), so a
group given fewer permissions than migrations give never sees a link that answers 403.

Counts the "Needs attention" panel also shows (failed pushes, failed deliveries, address
configurations whose push failed) come from that panel's reading (`attention_for`), made once
per request; the rest come from selectors/work.py and, for clienteling, from clienteling/
(the row rule's owner).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from conversations_ops import permissions as rules
from conversations_ops.clienteling.inbox import CLOSING, NEEDS_REPLY, may_use_inbox, needs_reply_counts
from conversations_ops.clienteling.selectors import unassigned_queue
from conversations_ops.models import (
    AddressConfiguration,
    AuditEntry,
    Conversation,
    Customer,
    Message,
    Pairing,
    Template,
)
from conversations_ops.selectors.work import pairings_waiting_counts, templates_awaiting_approval_count

from .dashboard import attention_for, changelist, failed_send_items

register = template.Library()

# The staff groups of migrations 0011 and 0020, and the panel each one gets (its id: your-work-<key>).
SUPPORT, OPS, AUDITOR, ADVISORS, MANAGERS = "Support", "Ops", "Auditor", "Advisors", "Advisor managers"


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class WorkItem:
    key: str  # stable: the item's id is work-<key> (needs-reply-<key> in the advisor's panel)
    label: str
    url: str
    count: int | None = None  # None: a task, not a count
    hint: str = ""
    links: list[Link] = field(default_factory=list)  # more ways to do it (e.g. CSV and JSON)


@dataclass(frozen=True)
class Panel:
    key: str  # support | ops | auditor | advisor | manager
    heading: str
    items: list[WorkItem]


def _model_admin(model):
    return admin.site.get_model_admin(model)


def _may_view(request, model) -> bool:
    return _model_admin(model).has_view_permission(request)


def _may_add(request, model) -> bool:
    return _model_admin(model).has_add_permission(request)


def support_items(request) -> list[WorkItem]:
    items = []
    if _may_add(request, AddressConfiguration):
        items.append(
            WorkItem(
                "add_address",
                "Add a WhatsApp address",
                reverse("admin:conversations_ops_addressconfiguration_add"),
                hint="a sender of the account, and where its new conversations go",
            )
        )
    if _may_view(request, Template):
        items.append(
            WorkItem(
                "templates_waiting",
                "Templates waiting for WhatsApp approval",
                changelist("template", "approval=waiting"),
                count=templates_awaiting_approval_count(),
            )
        )
    attention = attention_for(request)
    if _may_view(request, AddressConfiguration):  # the attention panel counted them for this viewer
        items.append(
            WorkItem(
                "addresses_failing",
                "Address configurations failing to sync with Twilio",
                changelist("addressconfiguration", "sync_state__exact=failed"),
                count=attention.failed_rows.get("addressconfiguration", 0),
            )
        )
    return items


def ops_items(request) -> list[WorkItem]:
    items = []
    if _may_add(request, Pairing):
        items.append(
            WorkItem(
                "start_pairing",
                "Start a pairing",
                reverse("admin:conversations_ops_pairing_start"),
                hint="a courier and a customer, through the business's number",
            )
        )
    if _may_view(request, Pairing):
        waiting = pairings_waiting_counts()
        labels = {"awaiting_customer": "Pairings awaiting the customer's reply", "connecting": "Pairings connecting"}
        items.extend(
            WorkItem(f"pairings_{state}", label, changelist("pairing", f"state__exact={state}"), count=waiting[state])
            for state, label in labels.items()
        )
    # The attention panel's own counts and links: the same failures, read once.
    items.extend(WorkItem(i.key, i.label, i.url, count=i.count) for i in failed_send_items(attention_for(request)))
    if rules.user_may(request.user, rules.SEND_TO_PEOPLE) and _may_view(request, Conversation):
        items.append(
            WorkItem(
                "send_message",
                "Send a message",
                changelist("conversation"),
                hint="open the conversation, then Send message (its WhatsApp windows and approved templates)",
            )
        )
    return items


def auditor_items(request) -> list[WorkItem]:
    items = []
    if _may_view(request, Message):
        items.append(WorkItem("history_today", "Today's message history", changelist("message", "when=today")))
        if request.user.has_perm(rules.EXPORT_HISTORY):
            export = [
                Link(fmt.upper(), reverse("admin:conversations_ops_message_export", args=[fmt]) + "?when=today")
                for fmt in ("csv", "json")
            ]
            items.append(WorkItem("export_today", "Export today's messages", export[0].url, links=export))
    if _may_view(request, AuditEntry):
        items.append(WorkItem("audit_trail", "Audit trail", changelist("auditentry"), hint="who did what, when"))
    return items


def advisor_items(request) -> list[WorkItem]:
    """The inbox and its "Needs reply" counts (the viewer's customers, by the row rule)."""
    user = request.user
    if not may_use_inbox(user):
        return []
    url = reverse("inbox:list")
    counts = needs_reply_counts(user)
    minutes = settings.CLIENTELING_NEEDS_REPLY_MINUTES
    return [
        WorkItem("open_inbox", "Open your inbox", url, hint="your customers, who waits longest first"),
        WorkItem(
            NEEDS_REPLY,
            f"wrote last and got no answer for over {minutes} minutes",
            f"{url}?show={NEEDS_REPLY}",
            count=counts[NEEDS_REPLY],
        ),
        WorkItem(
            CLOSING,
            "WhatsApp windows close within 2 hours (then templates only)",
            f"{url}?show={CLOSING}",
            count=counts[CLOSING],
        ),
    ]


def manager_items(request) -> list[WorkItem]:
    user = request.user
    items = []
    if rules.user_may(user, rules.VIEW_CUSTOMERS):
        items.append(WorkItem("figures", "Response times", reverse("clienteling_figures"), hint="advisors and teams"))
    if _model_admin(Customer).has_reassign_permission(request):
        items.append(
            WorkItem(
                "reassign",
                "Reassign customers",
                reverse("admin:conversations_ops_customer_reassign_advisor"),
                hint="an advisor's whole book to another advisor",
            )
        )
    if _may_view(request, Customer):
        items.append(
            WorkItem(
                "unassigned_queue",
                "Customers in the unassigned queue",
                changelist("customer", "queue=unassigned"),
                count=unassigned_queue(user).count(),
            )
        )
    return items


# (the groups that get it, key, heading, its items). Managers may what advisors may, for their teams:
# they get the inbox panel too, after their own (each role lands on its own work first).
PANELS = (
    ((SUPPORT,), "support", "Your work: addresses and templates", support_items),
    ((OPS,), "ops", "Your work: pairings and messages", ops_items),
    ((AUDITOR,), "auditor", "Your work: history and audit", auditor_items),
    ((MANAGERS,), "manager", "Your teams: customers and advisors", manager_items),
    ((ADVISORS, MANAGERS), "advisor", "Your inbox: needs reply", advisor_items),
)


def groups_of(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@register.simple_tag(takes_context=True)
def your_work_panels(context) -> list[Panel]:
    """The signed-in user's panels, in PANELS' order; a panel with nothing the user may do is left out."""
    request = context["request"]
    user = request.user
    mine = None if user.is_superuser else groups_of(user)
    panels = []
    for groups, key, heading, build in PANELS:
        if mine is not None and not mine.intersection(groups):
            continue
        items = build(request)
        if items:
            panels.append(Panel(key, heading, items))
    return panels
