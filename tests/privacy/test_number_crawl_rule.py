"""The one rule that recognises a number in any text (masking.mask_numbers_in): every form staff or
Twilio write a number in is masked, and what only looks like one (SIDs, dates, times, amounts,
order numbers, signatures) is left alone."""

import pytest
from django.test import override_settings

from conversations_ops.masking import contains_number, mask_data, mask_numbers_in
from conversations_ops.webhooks.sandbox.flow import Inbound
from tests.privacy.numbers import whole_numbers_in


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("+15017122661", "+15•••••2661"),
        ("whatsapp:+15017122661", "whatsapp:+15•••••2661"),
        ("WaId 15017122661", "WaId •••••2661"),  # WhatsApp's WaId: the number without "+"
        ('{"WaId": "15017122661"}', '{"WaId": "•••••2661"}'),
        ("whatsapp:15017122661", "whatsapp:•••••2661"),
        ("messenger:1234567890123456", "messenger:•••••3456"),
        ("To=whatsapp%3A%2B15017122661&x=1", "To=whatsapp%3A%2B15•••••2661&x=1"),
        ("next=%252B4915123456789", "next=%252B49•••••6789"),
        ("+49 151 2345 6789", "+49•••••6789"),
        ("+1 (501) 712-2661.", "+15•••••2661."),
        ("call (501) 712-2661 now", "call •••••2661 now"),
        ("call 501-712-2661", "call •••••2661"),
        ("Kurier 0151 23456789", "Kurier •••••6789"),
        ("+44 7700 900123", "+44•••••0123"),  # fictional, still somebody's number to a reader
    ],
)
def test_every_form_of_a_number_is_masked(text, masked):
    assert mask_numbers_in(text) == masked
    assert contains_number(text)


@pytest.mark.parametrize(
    "text",
    [
        f"conversation CH{'0' * 32} closed",  # a SID: digits glued to letters
        "message IM0123456789012345678901234567890a",
        "sig=abc+15017122661/x=",  # base64 around it: a signature
        "on 2026-12-03 12:34:56",
        "at 2026-12-03T12:34:56+01:00",
        "timestamp 20261203123456",  # YYYYMMDDhhmmss: no valid number
        "epoch 1764763200 and in ms 1764763200000",
        "order 12345 of 2026, invoice 7781-22",
        "total $1,500,000.00 or 1500.25 EUR",
        "uuid 550e8400-e29b-41d4-a716-446655440000",
        "version 5.2.1 pid 12345678",  # eight digits that are no valid number
        "error 63016 (HTTP 400)",
    ],
)
def test_what_only_looks_like_a_number_is_left_alone(text):
    assert mask_numbers_in(text) == text
    assert not contains_number(text)


@override_settings(NATIONAL_NUMBER_REGIONS=["US"])
def test_national_forms_follow_the_configured_regions():
    assert mask_numbers_in("call (501) 712-2661") == "call •••••2661"
    assert mask_numbers_in("Kurier 0151 23456789") == "Kurier 0151 23456789"  # a German form, not configured


def test_json_values_and_keys_are_masked():
    data = {"15017122661": ["whatsapp:+4915123456789", {"WaId": "15017122661", "n": 3}], "ok": True}
    assert not whole_numbers_in(repr(mask_data(data)))
    assert mask_data(data)["ok"] is True


def test_a_sandbox_conversation_without_a_profile_name_is_not_named_after_the_number():
    inbound = Inbound(message_sid="SM1", sender="whatsapp:+15017122661", sandbox="", body="", profile_name="", media=[])
    assert inbound.display_name == "WhatsApp user …2661"
    named = Inbound(
        message_sid="SM1", sender="whatsapp:+15017122661", sandbox="", body="", profile_name="Ana", media=[]
    )
    assert named.display_name == "Ana"
