"""Login throttling (django-axes): five wrong passwords lock that username from that address out for 15 minutes,
the right password included; a successful login starts the count again."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.roles.staff import staff_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"  # staff_user's
LOGIN = reverse("admin:login")
ELSEWHERE = "192.0.2.10"  # another client address (TEST-NET-1: documentation only)


@pytest.fixture
def ops(db):
    return staff_user("Ops")


def attempt(client: Client, password: str, *, address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": "ops", "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_sixth_attempt_is_refused_even_with_the_right_password(ops):
    client = Client()
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200  # the login form again, with its error
    fifth = attempt(client, "wrong")
    assert fifth.status_code == 429
    sixth = attempt(client, PASSWORD)
    assert sixth.status_code == 429 and not logged_in(client)
    page = " ".join(sixth.content.decode().split())
    assert "Login locked: too many failed login attempts" in page
    assert "blocked for 15 minutes, even with the right password" in page


def test_the_lock_is_for_that_username_from_that_address(ops):
    client = Client()
    for _ in range(5):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 429
    other = Client()
    assert attempt(other, PASSWORD, address=ELSEWHERE).status_code == 302 and logged_in(other)


def test_a_successful_login_starts_the_count_again(ops):
    client = Client()
    for _ in range(4):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 302 and logged_in(client)
    client.logout()
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200
    assert attempt(client, PASSWORD).status_code == 302


def test_force_login_is_not_throttled(ops, admin_client):
    """Tests log in with force_login (no password): axes only watches password logins."""
    client = Client()
    for _ in range(5):
        attempt(client, "wrong")
    client.force_login(ops)
    assert client.get(reverse("admin:conversations_ops_pairing_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:index")).status_code == 200
