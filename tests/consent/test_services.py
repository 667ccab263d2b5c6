"""The registry's services and THE question: the staff override needs a reason, the history is in the
order things happened, `consent_refusal` says why and since when, staff changes are audited (masked)."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import override_settings

from conversations_ops.consent.selectors import consent_for, consent_history, consent_refusal, consent_state
from conversations_ops.consent.services import consent_opt_in, consent_opt_out, consent_set
from conversations_ops.models import AuditEntry
from tests.audit.helpers import assert_no_full_numbers
from tests.consent.helpers import BUSINESS_SMS, BUSINESS_WA, PERSON_SMS, PERSON_WA
from tests.helpers.ids import make_sid

pytestmark = pytest.mark.django_db
WHEN = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


@pytest.fixture
def ana():
    return User.objects.create_user("ana", is_staff=True)


@pytest.mark.parametrize("state", ["opted_in", "opted_out"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_staff_cannot_change_consent_without_a_reason(ana, state, reason):
    with pytest.raises(ValidationError) as refused:
        consent_set(address=PERSON_WA, sender=BUSINESS_WA, state=state, reason=reason, user=ana)

    assert list(refused.value.message_dict) == ["reason"]
    assert consent_state(address=PERSON_WA, sender=BUSINESS_WA) == "unknown"


def test_an_import_needs_its_source():
    with pytest.raises(ValidationError) as refused:
        consent_opt_in(address=PERSON_WA, sender=BUSINESS_WA, how="imported")
    assert "where the consent was collected" in refused.value.message_dict["reason"][0]

    consent_opt_in(address=PERSON_WA, sender=BUSINESS_WA, how="imported", reason="in-store form, Paris")
    assert consent_for(address=PERSON_WA, sender=BUSINESS_WA).changes.get().reason == "in-store form, Paris"


@pytest.mark.parametrize(
    ("address", "sender", "field"),
    [("0151 2345", BUSINESS_SMS, "address"), (PERSON_WA, BUSINESS_SMS, "sender"), (PERSON_SMS, "nobody", "sender")],
)
def test_addresses_are_checked_and_the_channels_must_match(ana, address, sender, field):
    with pytest.raises(ValidationError) as refused:
        consent_set(address=address, sender=sender, state="opted_out", reason="asked by phone", user=ana)
    assert field in refused.value.message_dict


def test_a_staff_change_is_recorded_with_who_and_why_and_audited_masked(ana):
    change = consent_set(
        address=PERSON_WA, sender=BUSINESS_WA, state="opted_out", reason="asked by phone from +15017122661", user=ana
    )

    assert (change.staff, change.staff_name, change.how) == (ana, "ana", "staff_opt_out")
    entry = AuditEntry.objects.get(action="consent.opt_out")
    assert entry.actor == ana and entry.detail["how"] == "staff_opt_out"
    assert_no_full_numbers()


def test_the_persons_own_changes_are_not_staff_actions():
    consent_opt_out(address=PERSON_SMS, sender=BUSINESS_SMS, how="keyword_opt_out", keyword="STOP")
    assert not AuditEntry.objects.exists()


def test_history_is_oldest_first_and_the_state_is_the_latest(ana):
    consent_opt_in(address=PERSON_SMS, sender=BUSINESS_SMS, how="wrote_first", occurred_at=WHEN)
    pair = {"address": PERSON_SMS, "sender": BUSINESS_SMS}
    consent_opt_out(**pair, how="keyword_opt_out", keyword="STOP", occurred_at=WHEN.replace(hour=16))
    # Recorded last, happened in between (a webhook applied late).
    consent_opt_in(**pair, how="keyword_opt_in", keyword="START", occurred_at=WHEN.replace(hour=15))

    consent = consent_for(address=PERSON_SMS, sender=BUSINESS_SMS)
    assert [c.how for c in consent_history(consent)] == ["wrote_first", "keyword_opt_in", "keyword_opt_out"]
    assert (consent.state, consent.how, consent.since) == ("opted_out", "keyword_opt_out", WHEN.replace(hour=16))


@override_settings(TIME_ZONE="UTC")
@pytest.mark.parametrize(
    ("record", "says"),
    [
        (
            dict(how="keyword_opt_out", keyword="STOP", message_sid=make_sid("IM")),
            "opted out by texting STOP on 2026-12-03 14:05",
        ),
        (
            dict(how="twilio_21610", message_sid=make_sid("IM"), error_code=21610),
            f"opted out: Twilio refused message {make_sid('IM')} with 21610 on 2026-12-03 14:05",
        ),
        (
            dict(how="whatsapp_code", message_sid=make_sid("IM"), error_code=63014),
            f"opted out: WhatsApp refused message {make_sid('IM')} with 63014 on 2026-12-03 14:05",
        ),
    ],
    ids=["keyword", "21610", "whatsapp"],
)
def test_consent_refusal_says_why_and_since_when(record, says):
    consent_opt_out(address=PERSON_SMS, sender=BUSINESS_SMS, occurred_at=WHEN, **record)

    assert consent_refusal(PERSON_SMS, BUSINESS_SMS).startswith(says)


@override_settings(TIME_ZONE="Europe/Paris")
def test_consent_refusal_in_the_consoles_time_zone_names_the_staff_member_and_reason(ana):
    pair = {"address": PERSON_SMS, "sender": BUSINESS_SMS}
    consent_opt_out(**pair, how="staff_opt_out", reason="asked by phone", occurred_at=WHEN, user=ana)

    assert consent_refusal(PERSON_SMS, BUSINESS_SMS) == (
        "opted out on request on 2026-12-03 15:05 (recorded by ana): asked by phone"
    )


def test_no_refusal_when_opted_in_or_unknown_and_another_sender_is_apart():
    assert consent_refusal(PERSON_SMS, BUSINESS_SMS) is None
    consent_opt_out(address=PERSON_SMS, sender=BUSINESS_SMS, how="keyword_opt_out", keyword="STOP")
    assert consent_refusal(PERSON_SMS, "+14155550102") is None
    consent_opt_in(address=PERSON_SMS, sender=BUSINESS_SMS, how="keyword_opt_in", keyword="START")
    assert consent_refusal(PERSON_SMS, BUSINESS_SMS) is None
