"""Pure rules of the engine: the WhatsApp window, template approval, rendering, triggers, timestamps."""

from datetime import UTC, datetime, timedelta

import pytest

from simulator.engine import delivery, targets
from simulator.engine.events import iso_ms
from simulator.models import SimContent, SimCustomerWindow, SimMessage, SimParticipant

NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
PERSON, BUSINESS = "whatsapp:+15017122661", "whatsapp:+14155550100"


def _participant(channel="whatsapp", wrote_ago=None):
    """A participant whose person last wrote to the business sender `wrote_ago` before NOW (None: never)."""
    if wrote_ago is not None:
        SimCustomerWindow.objects.create(address=PERSON, proxy_address=BUSINESS, last_inbound_at=NOW - wrote_ago)
    if channel == "sms":
        return SimParticipant(channel=channel, address="+15017122661", proxy_address="+14155550101")
    return SimParticipant(channel=channel, address=PERSON, proxy_address=BUSINESS)


def _content(status):
    return SimContent(
        sid="HX" + "1" * 32,
        types={"twilio/text": {"body": "Hi {{1}}, {{2}} here"}},
        variables={"1": "there", "2": "your rider"},
        approval={"status": status} if status else {},
    )


@pytest.mark.parametrize(
    ("wrote_ago", "expected"),
    [
        (timedelta(hours=1), None),
        (timedelta(hours=24), None),
        (timedelta(hours=24, seconds=1), 63016),
        (None, 63016),
    ],
)
@pytest.mark.django_db
def test_free_form_needs_the_24_hour_window(wrote_ago, expected):
    message = SimMessage(body="hello")
    assert delivery.refusal(_participant(wrote_ago=wrote_ago), message, None, NOW) == expected


@pytest.mark.parametrize(
    ("status", "wrote_ago", "expected"),
    [
        ("approved", None, None),
        ("approved", timedelta(hours=1), None),
        ("paused", None, 63016),
        ("rejected", None, 63016),
        (None, None, 63016),
        ("paused", timedelta(hours=1), 63040),
        ("pending", timedelta(hours=1), 63040),
    ],
)
@pytest.mark.django_db
def test_templates_need_approval(status, wrote_ago, expected):
    message = SimMessage(content_sid="HX" + "1" * 32)
    content = _content(status)
    assert delivery.refusal(_participant(wrote_ago=wrote_ago), message, content, NOW) == expected


@pytest.mark.django_db
def test_the_window_is_the_persons_with_that_business_sender_not_the_participants():
    SimCustomerWindow.objects.create(
        address=PERSON, proxy_address="whatsapp:+14155550999", last_inbound_at=NOW - timedelta(hours=1)
    )
    SimCustomerWindow.objects.create(
        address="whatsapp:+15017122000", proxy_address=BUSINESS, last_inbound_at=NOW - timedelta(hours=1)
    )
    # Another sender's window, another person's: neither opens this pair.
    assert delivery.refusal(_participant(), SimMessage(body="hello"), None, NOW) == 63016
    delivery.window_opened(PERSON, BUSINESS, NOW - timedelta(hours=2))
    delivery.window_opened(PERSON, BUSINESS, NOW - timedelta(hours=30))  # an older message never shortens it
    assert delivery.window_open_until(PERSON, BUSINESS) == NOW + timedelta(hours=22)
    assert delivery.refusal(_participant(), SimMessage(body="hello"), None, NOW) is None
    delivery.window_opened("+15017122661", "+14155550101", NOW)  # SMS: no window kept
    assert not SimCustomerWindow.objects.filter(address="+15017122661").exists()


@pytest.mark.django_db
def test_a_missing_template_is_refused():
    assert delivery.refusal(_participant(), SimMessage(content_sid="HX" + "2" * 32), None, NOW) == 63016


@pytest.mark.django_db  # an SMS delivery asks whether the person opted out (engine/messaging_rules.py)
def test_sms_has_no_window_and_no_approval():
    assert delivery.refusal(_participant("sms"), SimMessage(body="x"), None, NOW) is None
    assert delivery.refusal(_participant("sms"), SimMessage(content_sid="HX" + "1" * 32), _content(None), NOW) is None


def test_render_fills_variables_and_falls_back_to_the_templates_defaults():
    content = _content("approved")
    assert delivery.render(content, '{"1": "Robert"}') == "Hi Robert, your rider here"
    assert delivery.render(content, None) == "Hi there, your rider here"
    assert delivery.render(content, "not json") == "Hi there, your rider here"
    card = SimContent(types={"twilio/card": {"title": "t", "body": "Card {{1}}"}}, variables={})
    assert delivery.render(card, '{"1": "A"}') == "Card A"


@pytest.mark.parametrize(
    ("body", "fires"),
    [
        ("help", True),
        ("HELP me", True),
        ("I need help.", True),
        ("helpful", False),
        ("", False),
    ],
)
def test_trigger_keywords_match_whole_words(body, fires):
    assert bool(targets.triggered(["help"], body)) is fires


def test_filters_are_honoured_and_empty_means_none():
    assert targets.wanted(["onMessageAdded"], "onMessageAdded")
    assert not targets.wanted(["onMessageAdded"], "onDeliveryUpdated")
    assert not targets.wanted([], "onMessageAdded")


def test_webhook_timestamps_are_utc_with_milliseconds():
    assert iso_ms(datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)) == "2026-01-01T00:00:00.123Z"
    assert iso_ms(None) == ""
