"""The model list by purpose (admin/navigation.py): which sections and entries each role sees, on the
home page and in the sidebar; System only for who looks after the console; hiding is not a permission."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_q.models import OrmQ

from conversations_ops.admin.navigation import PLACED, SECTIONS, sees_system
from tests.dashboard.html_tree import parse
from tests.home.helpers import (
    ADVISORS,
    AUDITOR,
    MANAGERS,
    OPS,
    SUPERUSER,
    SUPPORT,
    home,
    logged_in,
    person,
    sections,
)

pytestmark = pytest.mark.django_db

ADDRESSES = ["Address configurations", "Templates", "WhatsApp sandbox senders"]
CONVERSATIONS = ["Pairings", "Conversations", "Messages", "Participants", "Conversation webhooks"]
CLIENTELING = ["Inbox", "Customers", "Clienteling teams"]
HISTORY = ["Message history", "Audit trail", "Log entries", "Consents"]
# django-q2 registers its queue's admin only with the ORM broker (django_q/admin.py: `if Conf.ORM`): with
# Redis (CI's PostgreSQL pass, production) there is no "Queued tasks" list to place.
ORM_BROKER = admin.site.is_registered(OrmQ)
OPTIONAL = {"django_q.ormq"}
SYSTEM = [
    "Sync operations",
    "Webhook events",
    "Refused webhook counters",
    "Template status changes",
    "Delivery receipts",
    *(["Queued tasks"] if ORM_BROKER else []),
    "Scheduled tasks",
    "Successful tasks",
    "Failed tasks",
    "Users",
    "Groups",
    "Access attempts",
    "Access failures",
    "Access logs",
]
SEEN = {
    SUPPORT: {
        "Addresses and templates": ADDRESSES,
        "Conversations, pairings and messages": CONVERSATIONS,
        "History and audit": HISTORY,
    },
    OPS: {
        "Addresses and templates": ADDRESSES,
        "Conversations, pairings and messages": CONVERSATIONS,
        "History and audit": [*HISTORY, "Consent report"],
    },
    AUDITOR: {
        "Addresses and templates": ADDRESSES,
        "Conversations, pairings and messages": CONVERSATIONS + CLIENTELING,
        "History and audit": [*HISTORY, "Consent report"],
    },
    ADVISORS: {
        "Addresses and templates": ["Templates"],
        "Conversations, pairings and messages": ["Inbox", "Customers"],
        "History and audit": ["Consents"],
    },
    MANAGERS: {
        "Addresses and templates": ["Templates"],
        "Conversations, pairings and messages": CLIENTELING,
        "History and audit": ["Consents", "Consent report"],
    },
    SUPERUSER: {
        "Addresses and templates": ADDRESSES,
        "Conversations, pairings and messages": CONVERSATIONS + CLIENTELING,
        "History and audit": [*HISTORY, "Consent report"],
        "System": SYSTEM,
    },
}


@pytest.mark.parametrize("role", list(SEEN))
def test_each_role_sees_its_sections_in_the_order_of_the_work(role):
    assert sections(home(logged_in(person(role)))) == SEEN[role]


@pytest.mark.parametrize("role", list(SEEN))
def test_the_sidebar_has_the_same_sections(role):
    client = logged_in(person(role))
    page = client.get(reverse("admin:conversations_ops_consent_changelist"))  # every role reads consents
    assert page.status_code == 200

    assert sections(parse(page.content.decode()), container="nav-sidebar") == SEEN[role]


def test_every_registered_model_has_its_section():
    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}
    assert registered - PLACED == set(), "place the new admin in a section of admin/navigation.py"
    assert PLACED - registered - OPTIONAL == set(), "a section names a model that is not registered"


def test_a_model_no_section_names_is_listed_under_other_not_hidden(monkeypatch):
    from conversations_ops.admin import navigation

    monkeypatch.setattr(navigation, "PLACED", PLACED - {"conversations_ops.sandboxsender"})
    monkeypatch.setattr(
        navigation,
        "SECTIONS",
        tuple(
            type(s)(s.key, s.name, tuple(e for e in s.entries if e != "conversations_ops.sandboxsender"))
            for s in SECTIONS
        ),
    )
    shown = sections(home(logged_in(person(SUPPORT))))

    assert shown["Other"] == ["WhatsApp sandbox senders"]
    assert "WhatsApp sandbox senders" not in shown["Addresses and templates"]


@pytest.mark.parametrize(
    ("role", "status"),
    [(SUPPORT, 200), (OPS, 200), (AUDITOR, 200), (ADVISORS, 403), (MANAGERS, 403)],
)
def test_a_hidden_system_list_still_answers_by_its_permission(role, status):
    """Not listed is not forbidden: the roles that read the outbox still open it (the attention
    panel links there); who may not view it is refused as before."""
    client = logged_in(person(role))

    assert "System" not in sections(home(client))
    assert client.get(reverse("admin:conversations_ops_syncoperation_changelist")).status_code == status
    assert client.get(reverse("admin:conversations_ops_webhookevent_changelist")).status_code == status


def test_a_permission_beyond_the_work_shows_system_with_only_what_it_opens():
    """A Support member who is also given the users' list looks after the console: System shows,
    with the lists they may open (the outbox and inbox they read anyway, and users)."""
    user = person(SUPPORT)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="auth", codename="view_user"))

    shown = sections(home(logged_in(user)))

    assert shown["System"] == [
        "Sync operations",
        "Webhook events",
        "Refused webhook counters",
        "Template status changes",
        "Delivery receipts",
        "Users",
    ]


@pytest.mark.parametrize("role", [SUPPORT, OPS, AUDITOR, ADVISORS, MANAGERS])
def test_no_role_needs_system_for_its_work(role):
    """What migrations give each role on System models is what its work needs (WORK_ON_SYSTEM)."""
    assert not sees_system(person(role))


def test_an_apps_own_page_keeps_djangos_list():
    client = logged_in(person(SUPERUSER))
    page = client.get(reverse("admin:app_list", args=["conversations_ops"]))

    assert page.status_code == 200
    root = parse(page.content.decode())
    caption = root.find(id="content-main").find("caption")
    assert caption.find("a", href=reverse("admin:app_list", args=["conversations_ops"])) is not None
    names = sections(root)[caption.text]
    assert names == sorted(names) and "Sync operations" in names  # Django's: every model, alphabetical


def test_a_section_name_is_not_a_link_and_marks_no_page_current():
    root = home(logged_in(person(OPS)))
    main = root.find(id="content-main")
    for table in main.find_all("table"):
        assert table.find("caption").find("a") is None
    assert not [div for div in main.find_all("div", cls="module") if "current-app" in div.classes()]
