"""Browser steps: staff members, logging in, screenshots."""

import os
from pathlib import Path

from django.contrib.auth.models import Group, User

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "a-long-browser-password"


def staff_member(role: str) -> User:
    """A staff user in the group `role`, as migration 0011 made it (re-made if a live-server flush took it)."""
    from importlib import import_module

    from django.apps import apps

    if not Group.objects.filter(name=role).exists():
        import_module("conversations_ops.migrations.0011_staff_groups").create_groups(apps, None)
        import_module("conversations_ops.migrations.0012_audit_entries").grant_view(apps, None)
    user = User.objects.create_user(role.lower(), password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def log_in(page, live_url: str, user: User) -> None:
    page.goto(f"{live_url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_url}/admin/")


def screenshot(page, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
