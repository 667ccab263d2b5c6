import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from conversations_ops import validators as v


def assert_invalid(validator, value, *fragments):
    with pytest.raises(ValidationError) as exc_info:
        validator(value)
    message = " ".join(exc_info.value.messages)
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("value", ["+14155550100", "+4915123456789", "+442071838750"])
def test_e164_accepts_canonical_valid_numbers(value):
    v.validate_e164(value)


@pytest.mark.parametrize(
    "value",
    [
        "+491234",  # too short for Germany
        "+1 415 555 0100",  # valid number, not canonical
        "+1-415-555-0100",
        "14155550100",  # no plus: no country
        "004915123456789",
        "whatsapp:+14155550100",
        "",
        "+15558675310",  # well-formed but not an assigned range
    ],
)
def test_e164_rejects_invalid_or_non_canonical(value):
    assert_invalid(v.validate_e164, value, "E.164", "e.g. +14155550100")


def test_e164_message_names_the_value():
    assert_invalid(v.validate_e164, "+491234", "'+491234' is not a valid phone number")


@pytest.mark.parametrize("value", ["whatsapp:+14155550100", "whatsapp:+4915123456789"])
def test_whatsapp_address_accepts_prefixed_e164(value):
    v.validate_whatsapp_address(value)


@pytest.mark.parametrize(
    "value",
    ["+14155550100", "whatsapp:14155550100", "WhatsApp:+14155550100", "whatsapp: +14155550100", "whatsapp:"],
)
def test_whatsapp_address_rejects_other_forms(value):
    assert_invalid(v.validate_whatsapp_address, value, "whatsapp:+14155550100")


@pytest.mark.parametrize("value", ["+14155550100", "whatsapp:+14155550100"])
def test_messaging_address_accepts_sms_or_whatsapp(value):
    v.validate_messaging_address(value)


@pytest.mark.parametrize("value", ["whatsapp:+491234", "+491234", "alice", "sms:+14155550100"])
def test_messaging_address_rejects_anything_else(value):
    with pytest.raises(ValidationError):
        v.validate_messaging_address(value)


@pytest.mark.parametrize(("value", "channel"), [("whatsapp:+14155550100", "whatsapp"), ("+14155550100", "sms")])
def test_channel_for_address(value, channel):
    assert v.channel_for_address(value) == channel


@pytest.mark.parametrize("prefix", ["IS", "MG", "FW", "RL", "HX", "ME", "CH", "MB", "IM", "DY", "WH", "IG"])
def test_sid_validator_accepts_prefix_and_32_hex(prefix):
    v.sid_validator(prefix)(prefix + "0123456789abcdefABCDEF0123456789")


@pytest.mark.parametrize(
    "value",
    [
        "CH" + "a" * 32,  # wrong prefix
        "IS" + "a" * 31,  # too short
        "IS" + "a" * 33,  # too long
        "IS" + "g" * 32,  # not hex
        "is" + "a" * 32,  # prefix is case-sensitive
    ],
)
def test_sid_validator_rejects_malformed(value):
    assert_invalid(v.sid_validator("IS"), value, "Must be a Twilio SID starting with IS followed by 32 hex characters.")


@pytest.mark.parametrize(("value", "minimum"), [("PT1M", 1), ("PT5M", 1), ("PT10M", 10), ("P1D", 10), ("PT1H", 10)])
def test_duration_accepts_iso_at_or_above_minimum(value, minimum):
    v.validate_iso8601_duration(timedelta(minutes=minimum))(value)


@pytest.mark.parametrize(("value", "minimum"), [("PT59S", 1), ("PT9M", 10), ("PT0S", 1), ("P", 1)])
def test_duration_rejects_below_minimum(value, minimum):
    assert_invalid(v.validate_iso8601_duration(timedelta(minutes=minimum)), value, f"at least {minimum} minute")


@pytest.mark.parametrize("value", ["5 minutes", "00:05:00", "1 00:05:00", "300", "pt5m", "-PT5M", ""])
def test_duration_rejects_non_iso(value):
    assert_invalid(v.validate_iso8601_duration(timedelta(minutes=1)), value, "ISO-8601", "PT5M")


@pytest.mark.parametrize("value", ["{}", '{"order_id": "A123"}', '{"nested": {"a": [1, 2]}}'])
def test_json_object_text_accepts_objects(value):
    v.validate_json_object_text(4096)(value)


@pytest.mark.parametrize("value", ["[]", '["a"]', '"text"', "1", "null", "{not json", ""])
def test_json_object_text_rejects_non_objects(value):
    assert_invalid(v.validate_json_object_text(4096), value, "JSON object")


def _object_of_size(size: int) -> str:
    text = json.dumps({"k": "x" * (size - len('{"k": ""}'))})
    assert len(text.encode()) == size
    return text


@pytest.mark.parametrize("limit", [4096, 16384])
def test_json_object_text_accepts_exactly_the_byte_limit(limit):
    v.validate_json_object_text(limit)(_object_of_size(limit))


@pytest.mark.parametrize("limit", [4096, 16384])
def test_json_object_text_rejects_one_byte_over_and_names_the_limit(limit):
    assert_invalid(v.validate_json_object_text(limit), _object_of_size(limit + 1), f"limit is {limit} bytes")


def test_json_object_text_counts_utf8_bytes_not_characters():
    text = json.dumps({"k": "é" * 2100}, ensure_ascii=False)  # ~2100 characters, ~4200 bytes
    assert len(text) < 4096 < len(text.encode())
    assert_invalid(v.validate_json_object_text(4096), text, "limit is 4096 bytes")


@pytest.mark.parametrize("value", ["{}", '{"1": "Ana"}', '{"1": "Ana", "2": "10:30"}'])
def test_content_variables_accepts_string_map(value):
    v.validate_content_variables(value)


@pytest.mark.parametrize("value", ['{"1": 5}', '{"1": null}', '{"1": ["a"]}', '["Ana"]', "Ana"])
def test_content_variables_rejects_other_shapes(value):
    assert_invalid(v.validate_content_variables, value, '"1": "Ana"')


@pytest.mark.parametrize("value", [[], ["onMessageAdded"], ["onParticipantAdded", "onDeliveryUpdated"]])
def test_webhook_filters_accepts_known_events(value):
    v.validate_webhook_filters(v.AUTO_CREATION_WEBHOOK_FILTERS)(value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (["onMessageAdd"], "onMessageAdd"),  # a pre-event: not allowed here
        (["onMessageAdded", "onUserAdded"], "onUserAdded"),
        ("onMessageAdded", "list"),
        ([1], "list"),
    ],
)
def test_webhook_filters_rejects_unknown_events(value, fragment):
    assert_invalid(v.validate_webhook_filters(v.CONVERSATION_WEBHOOK_FILTERS), value, fragment)


def test_factories_compare_equal_by_argument():
    """Equal validators keep makemigrations from seeing a change on every run."""
    assert v.validate_json_object_text(4096) == v.validate_json_object_text(4096)
    assert v.validate_json_object_text(4096) != v.validate_json_object_text(16384)
    assert v.validate_iso8601_duration(timedelta(minutes=1)) != v.validate_iso8601_duration(timedelta(minutes=10))


@pytest.mark.parametrize("value", [{"twilio/text": {"body": "Hi"}}, {"twilio/media": {"media": ["x"]}}])
def test_content_types_accepts_objects_keyed_by_type(value):
    v.validate_content_types(value)


@pytest.mark.parametrize("value", [{"text": {"body": "Hi"}}, {"twilio/text": "Hi"}, ["twilio/text"]])
def test_content_types_rejects_other_shapes(value):
    assert_invalid(v.validate_content_types, value, "twilio/text")


@pytest.mark.parametrize("value", ["US", "DE"])
def test_country_code_accepts_upper_case_pairs(value):
    v.validate_country_code(value)


@pytest.mark.parametrize("value", ["us", "USA", "1A"])
def test_country_code_rejects_others(value):
    with pytest.raises(ValidationError):
        v.validate_country_code(value)


# Twilio's refusals the console says first (issue 17, item 8) ------------------------------------


@pytest.mark.parametrize(
    ("body", "reaches_phones", "refused"),
    [
        ("x" * 1600, True, False),
        ("x" * 1601, True, True),
        ("x" * 1601, False, False),  # chat alone: 32 KB
        ("x" * 32 * 1024, False, False),
        ("é" * (16 * 1024 + 1), False, True),  # 32 KB of bytes, not characters
    ],
)
def test_a_message_body_meets_the_limit_of_its_channels(body, reaches_phones, refused):
    assert (v.message_body_problem(body, reaches_phones=reaches_phones) is not None) is refused


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("CH" + "0123456789abcdef" * 2, True),
        ("order-CH" + "0123456789abcdef" * 2, False),
        ("CH" + "0123456789abcdef", False),
        ("", False),
    ],
)
def test_a_unique_name_must_not_look_like_a_conversation_sid(name, refused):
    if refused:
        with pytest.raises(ValidationError):
            v.validate_conversation_unique_name(name)
    else:
        v.validate_conversation_unique_name(name)


@pytest.mark.parametrize("state", ["closed", "initializing"])
def test_a_new_conversation_starts_active_or_inactive(state):
    v.validate_initial_conversation_state("active")
    v.validate_initial_conversation_state("inactive")
    with pytest.raises(ValidationError):
        v.validate_initial_conversation_state(state)


def test_participant_counts_follow_twilios_limits():
    assert v.participant_count_problem(participants=999, phones=49, adding_phone=True) is None
    assert "50 SMS/WhatsApp" in v.participant_count_problem(participants=60, phones=50, adding_phone=True)
    assert v.participant_count_problem(participants=60, phones=50, adding_phone=False) is None
    assert "1000 participants" in v.participant_count_problem(participants=1000, phones=0, adding_phone=False)
