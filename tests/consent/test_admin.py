"""The registry in the admin: the list (filters, exact search, masked numbers), the history inline,
the staff override (a reason required, its error beside the field; 403 for who may not change
consent), the masked CSV export and its columns, the state on the customer's and participant's pages."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission

from conversations_ops.consent.services import consent_opt_in, consent_opt_out
from conversations_ops.models import Consent, ConsentChange, Conversation, Customer, Participant
from tests.consent.helpers import BUSINESS_SMS, BUSINESS_WA, PERSON_SMS, PERSON_WA
from tests.helpers.clienteling import MANAGERS, advisor, sender
from tests.helpers.ids import make_sid
from tests.roles.staff import AUDITOR, OPS, SUPPORT, client_for, staff_user, url

pytestmark = pytest.mark.django_db
WHOLE = PERSON_WA.removeprefix("whatsapp:")


@pytest.fixture
def registry():
    consent_opt_out(
        address=PERSON_WA, sender=BUSINESS_WA, how="keyword_opt_out", keyword="STOP", message_sid=make_sid("IM", 1)
    )
    consent_opt_in(address=PERSON_SMS, sender=BUSINESS_SMS, how="wrote_first", message_sid=make_sid("IM", 2))
    return Consent.objects.get(address=PERSON_WA)


def test_the_list_masks_numbers_filters_and_finds_a_whole_number(registry):
    page = client_for(staff_user(AUDITOR))

    listing = page.get(url("consent", "changelist")).content.decode()
    assert WHOLE not in listing and "2661" in listing

    opted_out = page.get(url("consent", "changelist"), {"state__exact": "opted_out"})
    assert list(opted_out.context["cl"].result_list) == [registry]
    found = page.get(url("consent", "changelist"), {"q": PERSON_WA})
    assert list(found.context["cl"].result_list) == [registry]
    # Undeclared lookups are refused like on every admin list (a masked number is not guessed back).
    assert page.get(url("consent", "changelist"), {"address__startswith": "whatsapp:+150"}).status_code == 400


def test_the_entry_page_shows_the_history_masked_and_why_sends_are_refused(registry):
    page = client_for(staff_user(SUPPORT)).get(url("consent", "change", registry.pk)).content.decode()

    assert WHOLE not in page
    assert make_sid("IM", 1) in page and "opted out by texting STOP on" in page
    assert "Opt in (with reason)" not in page  # Support reads, does not change consent


def test_ops_opt_someone_back_in_only_with_a_reason_named_beside_the_field(registry):
    ops = staff_user(OPS)
    page = client_for(ops)
    assert "Opt in (with reason)" in page.get(url("consent", "change", registry.pk)).content.decode()
    record = url("consent", "record") + f"?consent={registry.pk}&state=opted_in"

    refused = page.post(record, {"state": "opted_in", "reason": ""})
    assert refused.status_code == 200
    assert list(refused.context["form"].errors) == ["reason"]
    assert "Say why the person may be messaged again" in refused.content.decode()
    assert WHOLE not in refused.content.decode()
    registry.refresh_from_db()
    assert registry.state == "opted_out"

    done = page.post(record, {"state": "opted_in", "reason": "asked by phone, ticket 12"})
    assert done.status_code == 302
    registry.refresh_from_db()
    assert (registry.state, registry.how) == ("opted_in", "staff_opt_in")
    assert registry.changes.last().staff == ops


def test_a_new_entry_can_be_recorded_with_its_numbers(registry):
    page = client_for(advisor("mia", group=MANAGERS))
    response = page.post(
        url("consent", "record"),
        {"address": "whatsapp:+15017122663", "sender": BUSINESS_WA, "state": "opted_out", "reason": "asked in store"},
    )
    assert response.status_code == 302
    assert Consent.objects.get(address="whatsapp:+15017122663").state == "opted_out"


@pytest.mark.parametrize("role", [SUPPORT, AUDITOR])
def test_readers_may_not_record_a_change(registry, role):
    page = client_for(staff_user(role))
    assert page.get(url("consent", "record")).status_code == 403
    form = {"address": PERSON_SMS, "sender": BUSINESS_SMS, "state": "opted_out", "reason": "x"}
    assert page.post(url("consent", "record"), form).status_code == 403
    assert ConsentChange.objects.count() == 2


def _export(user, **params) -> list[dict]:
    response = client_for(user).get(url("consent", "export"), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_has_one_row_per_change_masked_unless_one_may_see_numbers(registry):
    auditor = staff_user(AUDITOR)
    rows = _export(auditor)
    assert list(rows[0]) == [
        "address",
        "sender",
        "current_state",
        "change_state",
        "how",
        "occurred_at",
        "message_sid",
        "keyword",
        "error_code",
        "reason",
        "staff",
        "recorded_at",
    ]
    assert {(r["how"], r["message_sid"]) for r in rows} == {
        ("keyword_opt_out", make_sid("IM", 1)),
        ("wrote_first", make_sid("IM", 2)),
    }
    assert all(WHOLE not in r["address"] and r["address"] for r in rows)
    assert [r["how"] for r in _export(auditor, state__exact="opted_out")] == ["keyword_opt_out"]  # the list's filter

    auditor.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))
    assert PERSON_WA in {r["address"] for r in _export(auditor)}


def test_the_customer_and_participant_pages_show_the_state_linked(registry):
    whatsapp = sender(BUSINESS_WA)
    customer = Customer.objects.create(whatsapp_address=PERSON_WA, sender=whatsapp, name="Robert")
    conversation = Conversation.objects.create(sid=make_sid("CH"), sync_state="synced")
    participant = Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB"),
        messaging_binding_address=PERSON_WA,
        messaging_binding_proxy_address=BUSINESS_WA,
        sync_state="synced",
    )
    link = url("consent", "change", registry.pk)

    for page in (
        client_for(staff_user(AUDITOR)).get(url("customer", "change", customer.pk)),
        client_for(staff_user(OPS)).get(url("participant", "change", participant.pk)),
    ):
        html = page.content.decode()
        assert page.status_code == 200 and link in html and "Opted out since" in html
        assert WHOLE not in html
