"""`consent show --address ADDR --sender ADDR --json [--as USERNAME]` and `consent set`:
state and history, numbers masked unless --as may see them, exit 2 with the reason when refused."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError

from conversations_ops.consent.services import consent_opt_out
from conversations_ops.models import ConsentChange
from tests.consent.helpers import BUSINESS_WA, PERSON_WA
from tests.helpers.ids import make_sid

pytestmark = pytest.mark.django_db
WHOLE = PERSON_WA.removeprefix("whatsapp:")


def staff(username: str, group: str | None = None, *, full_numbers=False) -> User:
    user = User.objects.create_user(username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if full_numbers:
        user.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))
    return user


def consent(*args) -> str:
    out = StringIO()
    call_command("consent", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def show(*extra) -> dict:
    return json.loads(consent("show", "--address", PERSON_WA, "--sender", BUSINESS_WA, "--json", *extra))


def test_unknown_until_something_is_recorded():
    assert show() | {"history": []} == show()
    assert (show()["state"], show()["history"]) == ("unknown", [])


def test_show_gives_the_state_and_history_masked_unless_as_may_see_numbers():
    staff("ana", "Auditor")
    staff("zoe", "Auditor", full_numbers=True)
    sid = make_sid("IM", 7)
    consent_opt_out(address=PERSON_WA, sender=BUSINESS_WA, how="keyword_opt_out", keyword="STOP", message_sid=sid)

    masked = show("--as", "ana")
    assert masked["state"] == "opted_out"
    assert [(c["how"], c["message_sid"], c["keyword"]) for c in masked["history"]] == [("keyword_opt_out", sid, "STOP")]
    assert masked["refusal"].startswith("opted out by texting STOP on ")
    assert WHOLE not in json.dumps(masked) and masked["address"].endswith("2661")
    assert show("--as", "zoe")["address"] == PERSON_WA
    assert show("--as", "zoe")["sender"] == BUSINESS_WA  # the shell masks every number, the sender's too


def test_set_records_the_staff_change_and_show_lists_it():
    staff("olga", "Ops")
    out = consent(
        "set", "--address", PERSON_WA, "--sender", BUSINESS_WA, "--state", "opted_out", "--reason", "asked by phone",
        "--as", "olga",
    )  # fmt: skip

    assert "opted_out" in out and WHOLE not in out
    change = ConsentChange.objects.get()
    assert (change.staff_name, change.reason, change.how) == ("olga", "asked by phone", "staff_opt_out")
    assert show()["history"][0]["staff"] == "olga"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("show", "--as", "nobody_group"), "may not read consent"),
        (("set", "--state", "opted_in", "--reason", "asked", "--as", "sam"), "may not change consent"),
        (("set", "--state", "opted_in", "--as", "olga"), "reason: Say why the person may be messaged again"),
        (("set", "--state", "opted_in", "--reason", "asked"), "say who records this change"),
    ],
    ids=["no-group-may-not-read", "support-may-not-change", "no-reason", "nobody-named"],
)
def test_refusals_exit_2_with_the_reason(args, says):
    staff("nobody_group")
    staff("sam", "Support")
    staff("olga", "Ops")
    with pytest.raises(CommandError) as refused:
        consent(args[0], "--address", PERSON_WA, "--sender", BUSINESS_WA, *args[1:])

    assert refused.value.returncode == 2
    assert says in str(refused.value)
    assert WHOLE not in str(refused.value)
    assert not ConsentChange.objects.exists()
