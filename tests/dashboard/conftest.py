"""Rows that make the admin home page's attention items and charts show something."""

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from tests.dashboard.helpers import Rows


@pytest.fixture
def rows(db):
    return Rows()


@pytest.fixture
def staff_client(db):
    """A client for a staff member with only the view permissions given: `staff_client(["message", ...])`."""
    made = []

    def login(models: list[str]) -> Client:
        made.append(models)
        user = User.objects.create_user(f"viewer{len(made)}", password="x", is_staff=True)
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="conversations_ops", codename__in=[f"view_{m}" for m in models]
            )
        )
        client = Client()
        client.force_login(user)
        return client

    return login
