"""The admin's model list by purpose, not by app and alphabet: the home page's list and the sidebar.

Django lists models per installed app, alphabetically: one "Conversations_Ops" block of fifteen
models, most of them plumbing, beside "Authentication", "Django Q" and "Axes". Staff think in
tasks, so the list is four sections (SECTIONS), each with its models in the order of the work,
plus the staff pages that are not a model's list (the inbox, the consent report).

The "System" section (the outbox, the webhook inbox and its refusal counters, template status
changes, delivery receipts, the task queue, login throttling, users and groups) is shown only to
those who look after the console: superusers, and whoever holds a permission on one of its models
beyond what the roles need for their work (WORK_ON_SYSTEM: reading them, Ops reprocessing events,
Support acknowledging template alerts). Every role's links into those lists (the attention
panel's counts, a record's "sync operations", the alert banner) keep working: hiding an entry is
not a permission, and a list or page still answers by its model permissions, whoever types its
address.

How: Django documents `AdminSite.get_app_list(request, app_label=None)` as what the index and
the sidebar (`each_context`'s `available_apps`) call for the list; the default site's is replaced
here (`install`), with no AdminSite subclass and no change to INSTALLED_APPS. With an
`app_label` (an app's own index page, /admin/<app>/) Django's own list is returned unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MethodType

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.urls import reverse

from conversations_ops.clienteling.inbox import may_use_inbox

from .consent_report import may_see_report


@dataclass(frozen=True)
class Page:
    """A staff page listed like a model: shown to whoever `allowed(user)` says may open it."""

    key: str  # object_name in the list: the row's class is model-<key>
    name: str
    url_name: str
    allowed: object  # (user) -> bool


@dataclass(frozen=True)
class Section:
    key: str  # the block's class is app-<key>
    name: str
    entries: tuple  # "app_label.model_name" or Page, in the order shown


SYSTEM = "system"
MESSAGE_HISTORY = Page(
    "messagehistory",
    "Message history",
    "admin:conversations_ops_message_changelist",
    lambda user: user.has_perm("conversations_ops.view_message"),
)
SECTIONS = (
    Section(
        "addresses",
        "Addresses and templates",
        ("conversations_ops.addressconfiguration", "conversations_ops.template", "conversations_ops.sandboxsender"),
    ),
    Section(
        "conversations",
        "Conversations, pairings and messages",
        (
            "conversations_ops.pairing",
            "conversations_ops.conversation",
            "conversations_ops.message",
            "conversations_ops.participant",
            "conversations_ops.conversationwebhook",
            # Clienteling (issue 19): the advisor's inbox, their customers, the teams.
            Page("inbox", "Inbox", "inbox:list", may_use_inbox),
            "conversations_ops.customer",
            "conversations_ops.clientelingteam",
        ),
    ),
    Section(
        "history",
        "History and audit",
        (
            MESSAGE_HISTORY,
            "conversations_ops.auditentry",
            "admin.logentry",
            "conversations_ops.consent",
            Page("consentreport", "Consent report", "consent_report", may_see_report),
        ),
    ),
    Section(
        SYSTEM,
        "System",
        (
            "conversations_ops.syncoperation",
            "conversations_ops.webhookevent",
            "conversations_ops.webhookrejection",
            "conversations_ops.templatestatuschange",
            "conversations_ops.deliveryreceipt",
            "django_q.ormq",  # registered by django-q2 with the ORM broker only (not with Redis)
            "django_q.schedule",
            "django_q.success",
            "django_q.failure",
            "auth.user",
            "auth.group",
            "axes.accessattempt",
            "axes.accessfailurelog",
            "axes.accesslog",
        ),
    ),
)
PLACED = frozenset(entry for section in SECTIONS for entry in section.entries if isinstance(entry, str))
SYSTEM_MODELS = next(section.entries for section in SECTIONS if section.key == SYSTEM)

# What the roles' work needs on the System models (migrations 0011-0023 grant these): reading them
# (a record's pushes, a conversation's events, a message's receipts), Ops's Reprocess on webhook
# events and Support's acknowledging of template alerts. Any other permission on a System model
# (adding or deleting an outbox row, the task queue, users and groups, the login throttle) is an
# administrator's, and shows the section.
WORK_ON_SYSTEM = frozenset(
    {
        "conversations_ops.view_syncoperation",
        "conversations_ops.view_webhookevent",
        "conversations_ops.view_webhookrejection",
        "conversations_ops.view_templatestatuschange",
        "conversations_ops.view_deliveryreceipt",
        "conversations_ops.change_webhookevent",
        "conversations_ops.change_templatestatuschange",
    }
)


def system_permissions(labels=SYSTEM_MODELS) -> frozenset[str]:
    """Django's four permissions on each System model, as has_perm names them."""
    return frozenset(
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for label in labels
        for action in ("add", "change", "delete", "view")
    )


def sees_system(user) -> bool:
    """Superusers, and whoever holds a permission on a System model that no role's work needs."""
    if user.is_superuser:
        return True
    held = user.get_all_permissions()  # cached on the user: the list's own has_perm calls read it too
    return bool((held & system_permissions()) - WORK_ON_SYSTEM)


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _page_entry(page: Page) -> dict:
    # The keys Django's app list gives a model (admin/app_list.html reads them); a page has no add.
    return {
        "name": page.name,
        "object_name": page.key,
        "admin_url": reverse(page.url_name),
        "add_url": None,
        "view_only": True,
        "perms": {"view": True},
    }


def sections_for(request, apps: list[dict]) -> list[dict]:
    """Django's per-app list (what `request.user` may see) regrouped into SECTIONS.

    A registered model no section names goes to a last "Other" block, so a new admin is never
    hidden by accident (tests/home/test_navigation.py fails until it is placed)."""
    by_label = {_label(entry["model"]): entry for app in apps for entry in app["models"]}
    shown = []
    for section in SECTIONS:
        if section.key == SYSTEM and not sees_system(request.user):
            continue
        entries = []
        for entry in section.entries:
            if isinstance(entry, Page):
                if entry.allowed(request.user):
                    entries.append(_page_entry(entry))
            elif entry in by_label:
                entries.append(by_label[entry])
        if entries:
            shown.append(_section(section.key, section.name, entries))
    other = [entry for label, entry in by_label.items() if label not in PLACED]
    if other:
        shown.append(_section("other", "Other", sorted(other, key=lambda entry: str(entry["name"]))))
    return shown


def _section(key: str, name: str, entries: list[dict]) -> dict:
    # app_url empty: a section has no index page of its own (admin/app_list.html shows its name unlinked).
    return {"name": name, "app_label": key, "app_url": "", "has_module_perms": True, "models": entries, "section": True}


def grouped_app_list(site: AdminSite, request, app_label=None) -> list[dict]:
    apps = AdminSite.get_app_list(site, request, app_label)
    if app_label is not None:
        return apps  # an app's own index page: Django's list of that app
    return sections_for(request, apps)


def install(site: AdminSite = admin.site) -> None:
    """The site's list, the index's and the sidebar's, by purpose (see the module docstring)."""
    site.get_app_list = MethodType(grouped_app_list, site)


install()
