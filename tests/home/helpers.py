"""The home page as each role sees it: people of each staff group, the "Your work" panels and the
model list's sections, as parsed from the page."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.urls import reverse

from tests.dashboard.html_tree import Node, parse
from tests.roles.staff import client_for as logged_in  # noqa: F401 - the home tests' name for it
from tests.roles.staff import staff_user

INDEX = reverse("admin:index")
SUPPORT, OPS, AUDITOR, ADVISORS, MANAGERS, SUPERUSER = (
    "Support",
    "Ops",
    "Auditor",
    "Advisors",
    "Advisor managers",
    "superuser",
)
ROLES = (SUPPORT, OPS, AUDITOR, ADVISORS, MANAGERS, SUPERUSER)


def person(role: str, username: str | None = None) -> User:
    """A staff member of the group `role` (groups as migrations 0011-0023 make them), or a superuser."""
    name = username or role.lower().replace(" ", "_")
    if role == SUPERUSER:
        return User.objects.create_superuser(name, password="a-long-test-password")
    if role in (ADVISORS, MANAGERS) and not Group.objects.filter(name=role, permissions__isnull=False).exists():
        import_module("conversations_ops.migrations.0020_clienteling").create_groups(apps, None)
    return staff_user(role, name)


def home(client, **params) -> Node:
    response = client.get(INDEX, params)
    assert response.status_code == 200
    return parse(response.content.decode())


def panels(root: Node) -> list[str]:
    """The ids of the "Your work" panels, in page order."""
    return [div.attrs["id"] for div in root.find_all("div", cls="your-work")]


def work_items(root: Node, panel: str) -> dict:
    """{item id: (count or None, href)} of one panel (`support`, `ops`...)."""
    found = root.find("div", id=f"your-work-{panel}")
    assert found is not None, f"the {panel} panel is on the page"
    shown = {}
    for li in found.find_all("li", cls="work-item"):
        link = li.find("a")
        count = li.find("strong", cls="attention-count")
        shown[li.attrs["id"]] = (int(count.text) if count else None, link.attrs["href"] if link else None)
    return shown


def sections(root: Node, container: str = "content-main") -> dict[str, list[str]]:
    """{section name: [entry names]} of the model list inside the element `container`."""
    where = root.find(id=container)
    assert where is not None
    return {
        table.find("caption").text: [th.text for th in table.find_all("th", scope="row")]
        for table in where.find_all("table")
        if table.find("caption") is not None and table.find("th", scope="row") is not None
    }
