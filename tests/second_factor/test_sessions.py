"""Sessions are re-checked on the next request when the account's groups or permissions change: the
session is logged out with a message, and what the account may see is what it may see now."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from conversations_ops.second_factor.middleware import FINGERPRINT_SESSION_KEY
from tests.helpers.ids import CUSTOMER_WHATSAPP
from tests.roles.staff import AUDITOR, OPS, client_for, staff_user, url
from tests.second_factor.helpers import INDEX, LOGIN, logged_in, page_text

pytestmark = pytest.mark.django_db

CUSTOMER_DIGITS = CUSTOMER_WHATSAPP.removeprefix("whatsapp:+")


def view_full_numbers() -> Permission:
    return Permission.objects.get(codename="view_full_numbers")


def sent_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == LOGIN


def test_an_unchanged_account_stays_logged_in():
    client = client_for(staff_user(OPS))
    for _ in range(3):
        assert client.get(INDEX).status_code == 200


def test_removing_view_full_numbers_from_a_logged_in_auditor_takes_effect_on_the_next_request(participant):
    auditor = staff_user(AUDITOR)
    auditor.user_permissions.add(view_full_numbers())
    client = client_for(auditor)
    participant = url("participant", "change", participant.pk)
    assert CUSTOMER_DIGITS in client.get(participant).content.decode()

    auditor.user_permissions.remove(view_full_numbers())
    response = client.get(participant)
    assert sent_to_login(response) and not logged_in(client)
    assert CUSTOMER_DIGITS not in response.content.decode()
    login_page = page_text(client.get(response["Location"]))
    assert "Your groups or permissions changed since you logged in" in login_page

    client.force_login(auditor)
    page = client.get(participant).content.decode()
    assert CUSTOMER_DIGITS not in page and "•" in page


def test_without_the_recheck_django_still_reads_permissions_afresh_each_request(participant, settings):
    """What the recheck adds to: Django caches permissions on the request's user object only, so
    the removed permission is already refused on the next request (no stale cache to clear)."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("SessionRecheckMiddleware")]
    auditor = staff_user(AUDITOR)
    auditor.user_permissions.add(view_full_numbers())
    client = client_for(auditor)
    participant = url("participant", "change", participant.pk)
    assert CUSTOMER_DIGITS in client.get(participant).content.decode()
    auditor.user_permissions.remove(view_full_numbers())
    page = client.get(participant)
    assert page.status_code == 200 and CUSTOMER_DIGITS not in page.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        "join a group",
        "leave a group",
        "the group loses a permission",
        "a permission of its own",
        "superuser",
        "not staff",
    ],
)
def test_a_change_to_what_the_account_may_do_logs_the_session_out(change):
    user = staff_user(OPS)
    client = client_for(user)
    assert client.get(INDEX).status_code == 200
    if change == "join a group":
        user.groups.add(Group.objects.get(name=AUDITOR))
    elif change == "leave a group":
        user.groups.clear()
    elif change == "the group loses a permission":
        Group.objects.get(name=OPS).permissions.remove(Permission.objects.get(codename="send_message"))
    elif change == "a permission of its own":
        user.user_permissions.add(view_full_numbers())
    elif change == "superuser":
        user.is_superuser = True
        user.save()
    else:
        user.is_staff = False
        user.save()
    assert sent_to_login(client.get(INDEX)) and not logged_in(client)


def test_other_members_of_a_changed_group_are_rechecked_too():
    first, second = staff_user(OPS, "ops_one"), staff_user(OPS, "ops_two")
    one, two = client_for(first), client_for(second)
    Group.objects.get(name=OPS).permissions.remove(Permission.objects.get(codename="send_message"))
    assert sent_to_login(one.get(INDEX)) and sent_to_login(two.get(INDEX))


def test_a_session_without_a_fingerprint_is_logged_out():
    """Sessions from before this check (or any that lost it) are not trusted to be current."""
    client = client_for(staff_user(OPS))
    session = client.session
    del session[FINGERPRINT_SESSION_KEY]
    session.save()
    assert sent_to_login(client.get(INDEX))


def test_a_post_after_a_change_does_nothing():
    from conversations_ops.models import SyncOperation

    user = staff_user(OPS)
    client = client_for(user)
    user.groups.clear()
    before = SyncOperation.objects.count()
    response = client.post(
        reverse("admin:conversations_ops_conversation_add"), {"unique_name": "x", "attributes": "{}"}
    )
    assert sent_to_login(response) and SyncOperation.objects.count() == before
