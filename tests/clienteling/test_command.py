"""`clienteling assign` (README, "Clienteling"): prints the customer id, exit 0; exit 2 with the reason when refused."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from conversations_ops.models import AccountConfiguration, AuditEntry, Customer
from tests.helpers.clienteling import MANAGERS, advisor, sender
from tests.helpers.ids import BUSINESS_WHATSAPP, CUSTOMER_WHATSAPP

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    sender(BUSINESS_WHATSAPP)
    return {"alice": advisor("alice"), "mia": advisor("mia", group=MANAGERS)}


def assign(*extra, advisor_name="alice"):
    out, err = StringIO(), StringIO()
    call_command(
        "clienteling",
        "assign",
        "--customer",
        CUSTOMER_WHATSAPP,
        "--sender",
        BUSINESS_WHATSAPP,
        "--advisor",
        advisor_name,
        *extra,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_a_manager_assigns_and_the_audit_trail_says_so(people):
    out, err = assign("--name", "Robert", "--as", "mia")

    customer = Customer.objects.get(pk=int(out))
    assert customer.advisor == people["alice"] and customer.name == "Robert"
    assert AuditEntry.objects.get(action="clienteling.assign").actor == people["mia"]
    assert err == ""


@pytest.mark.parametrize(
    ("extra", "advisor_name", "says"),
    [
        (("--as", "alice"), "alice", "may not assign customers"),  # advisors do not hand out customers
        (("--as", "mia"), "nobody", "no user 'nobody'"),
        (("--as", "mia"), "mia", "not in the Advisors group"),
    ],
    ids=["advisor-may-not", "unknown-advisor", "not-an-advisor"],
)
def test_refusals_exit_2_with_the_reason(people, extra, advisor_name, says):
    with pytest.raises(CommandError) as refused:
        assign(*extra, advisor_name=advisor_name)
    assert refused.value.returncode == 2 and says in str(refused.value)
    assert not Customer.objects.exists()


def test_the_accounts_closing_default_timer_is_warned_about(people):
    """Issue 17's warning: the account's default closed timer would end the long-lived conversation."""
    AccountConfiguration.objects.create(pk=1, pulled_at=timezone.now(), default_closed_timer="P1D")

    _, err = assign("--as", "mia")

    assert "Warning: Twilio's account default closed timer (P1D)" in err
