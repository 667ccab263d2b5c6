"""Customers' and couriers' numbers: masked on every list and detail page for staff without
"view full numbers", whole for those with it; found by exact search either way; masked in logs."""

import logging

import pytest
from django.contrib.auth.models import Permission

from conversations_ops.logging_filters import MaskPhoneNumbers
from conversations_ops.masking import mask_numbers_in
from conversations_ops.models import Conversation, Participant
from tests.roles.rows import COURIER, CUSTOMER
from tests.roles.staff import client_for, staff_user, url

pytestmark = pytest.mark.django_db

CUSTOMER_DIGITS, COURIER_DIGITS = "15017122661", "4915123456789"
CUSTOMER_MASKED, COURIER_MASKED = "whatsapp:+15•••••2661", "+49•••••6789"

# Page -> its URL from the rows, and the masked numbers it must show.
PAGES = {
    "participant list": (lambda r: url("participant", "changelist"), [CUSTOMER_MASKED, COURIER_MASKED]),
    "participant page": (lambda r: url("participant", "change", r.participant.pk), [CUSTOMER_MASKED]),
    "failed participant page": (lambda r: url("participant", "change", r.courier.pk), [COURIER_MASKED]),
    "conversation page": (
        lambda r: url("conversation", "change", r.conversation.pk),
        [CUSTOMER_MASKED, COURIER_MASKED],
    ),
    "participant delete page": (lambda r: url("participant", "delete", r.courier.pk), [COURIER_MASKED]),
    "participant history": (lambda r: url("participant", "history", r.participant.pk), [CUSTOMER_MASKED]),
    "webhook event list": (lambda r: url("webhookevent", "changelist"), [CUSTOMER_MASKED]),
    "webhook event page": (lambda r: url("webhookevent", "change", r.webhookevent.pk), [CUSTOMER_MASKED]),
    "pairing list": (lambda r: url("pairing", "changelist"), [CUSTOMER_MASKED, COURIER_MASKED]),
    "pairing page": (lambda r: url("pairing", "change", r.pairing.pk), [CUSTOMER_MASKED, COURIER_MASKED]),
    "sync operation list": (lambda r: url("syncoperation", "changelist"), [COURIER_MASKED]),
    "sync operation page": (
        lambda r: url("syncoperation", "change", r.syncoperation.pk),
        [COURIER_MASKED, CUSTOMER_MASKED],
    ),
    "send message page": (lambda r: url("conversation", "send", r.conversation.pk), [CUSTOMER_MASKED, COURIER_MASKED]),
}


@pytest.fixture
def ops(db):
    return client_for(staff_user("Ops"))  # reads and changes everything here, but sees no whole number


@pytest.fixture
def ops_with_numbers(db):
    user = staff_user("Ops", username="ops_lead")
    user.user_permissions.add(Permission.objects.get(codename="view_full_numbers"))
    return client_for(user)


@pytest.mark.parametrize("page", PAGES)
def test_pages_show_numbers_masked(ops, rows, page):
    make_url, expected = PAGES[page]
    response = ops.get(make_url(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert CUSTOMER_DIGITS not in html and COURIER_DIGITS not in html
    for masked in expected:
        assert masked in html


@pytest.mark.parametrize("page", PAGES)
def test_view_full_numbers_shows_them_whole(ops_with_numbers, rows, page):
    make_url, expected = PAGES[page]
    html = ops_with_numbers.get(make_url(rows)).content.decode()
    whole = {CUSTOMER_MASKED: CUSTOMER, COURIER_MASKED: COURIER}
    for masked in expected:
        assert whole[masked] in html


def test_auditors_see_the_webhook_payload_masked(rows):
    auditor = client_for(staff_user("Auditor"))
    html = auditor.get(url("webhookevent", "change", rows.webhookevent.pk)).content.decode()
    assert CUSTOMER_DIGITS not in html
    assert html.count(CUSTOMER_MASKED) >= 3  # Author, MessagingBinding.Address, the outcome
    assert "c2lnbmF0dXJl+MTIzNDU2Nzg5/abc=" in html  # a signature is no number


def test_a_masked_participant_cannot_be_edited_into_a_full_number_either(ops, rows):
    """The number field is not on the form for those who may not see it (it would be in the input)."""
    form = ops.get(url("participant", "change", rows.participant.pk)).context["adminform"].form
    assert "messaging_binding_address" not in form.fields


@pytest.mark.parametrize(
    ("model", "term", "row"),
    [
        ("participant", CUSTOMER, "participant"),
        ("participant", COURIER, "courier"),
        ("pairing", CUSTOMER, "pairing"),
        ("pairing", COURIER, "pairing"),
    ],
)
def test_search_by_the_whole_number_still_finds_the_row(ops, rows, model, term, row):
    response = ops.get(url(model, "changelist"), {"q": term})
    assert list(response.context["cl"].result_list) == [getattr(rows, row)]


def test_search_by_part_of_a_number_finds_nothing(ops, rows):
    response = ops.get(url("participant", "changelist"), {"q": CUSTOMER_DIGITS[-6:]})
    assert list(response.context["cl"].result_list) == []


# Numbers in free text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"From={CUSTOMER}", f"From={CUSTOMER_MASKED}"),
        ("To=whatsapp%3A%2B15017122661&Body=hi", "To=whatsapp%3A%2B15•••••2661&Body=hi"),
        # Encoded twice: a login redirect's ?next= quoting an admin search for the number.
        ("next=/admin/x/%3Fq%3D%252B4915123456789", "next=/admin/x/%3Fq%3D%252B49•••••6789"),
        ('{"phone": "+4915123456789"}', '{"phone": "+49•••••6789"}'),
        ("sig=abc+15017122661/x=", "sig=abc+15017122661/x="),  # base64 around it: a signature, not a number
        (f"conversation CH{'0' * 32} closed", f"conversation CH{'0' * 32} closed"),
    ],
)
def test_numbers_in_text_are_masked(text, masked):
    assert mask_numbers_in(text) == masked


@pytest.fixture
def masked_log(caplog):
    caplog.handler.addFilter(MaskPhoneNumbers())
    caplog.set_level(logging.INFO)
    return caplog


def test_the_log_filter_masks_messages_and_their_arguments(masked_log):
    logger = logging.getLogger("conversations_ops.tests")
    logger.info("Sent the invite to %s and %s", CUSTOMER, COURIER)
    logger.warning(f"Twilio refused {CUSTOMER}")
    assert CUSTOMER_DIGITS not in masked_log.text and COURIER_DIGITS not in masked_log.text
    assert f"Sent the invite to {CUSTOMER_MASKED} and {COURIER_MASKED}" in masked_log.text
    assert masked_log.records[1].getMessage() == f"Twilio refused {CUSTOMER_MASKED}"


def test_the_log_filter_masks_tracebacks(masked_log):
    logger = logging.getLogger("conversations_ops.tests")
    try:
        raise ValueError(f"binding {CUSTOMER} is taken")
    except ValueError:
        logger.exception("Adding a participant failed")
    record = masked_log.records[0]
    assert CUSTOMER_DIGITS not in record.exc_text and CUSTOMER_MASKED in record.exc_text


def test_every_configured_handler_masks(settings):
    handlers = settings.LOGGING["handlers"]
    assert handlers and all("mask_phone_numbers" in handler.get("filters", []) for handler in handlers.values())
    # Django's own dev-server log (URLs with query strings) goes through the masking handler too.
    live = [
        h
        for h in logging.getLogger("django.server").handlers + logging.getLogger().handlers
        if not type(h).__module__.startswith("_pytest")
    ]  # pytest's own capture handlers aside
    assert live and all(any(isinstance(f, MaskPhoneNumbers) for f in h.filters) for h in live)


def test_the_delete_page_lists_related_people_masked(ops, rows):
    """Deleting a conversation lists its participants, fetched afresh by Django's collector."""
    other = Conversation.objects.create(sid="CH" + "7" * 32, unique_name="order-7", sync_state="synced")
    Participant.objects.create(
        conversation=other,
        sid="MB" + "7" * 32,
        messaging_binding_address=CUSTOMER,
        messaging_binding_proxy_address="whatsapp:+14155238886",
        sync_state="synced",
    )
    html = ops.get(url("conversation", "delete", other.pk)).content.decode()
    assert "Are you sure" in html and CUSTOMER_MASKED in html and CUSTOMER_DIGITS not in html
