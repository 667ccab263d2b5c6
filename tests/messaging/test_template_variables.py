import pytest

from conversations_ops.messaging.template_variables import (
    MAX_VALUE_LENGTH,
    template_placeholders,
    template_render,
    template_variables_errors,
)
from conversations_ops.models import Template

BODY = "Hello {{1}}, your food delivery is almost there but {{2}} (your rider) needs help finding your door."


@pytest.fixture
def invite():
    # Not saved: validation and rendering only read the body.
    return Template(sid="HX" + "a" * 32, friendly_name="courier_invite", types={"twilio/text": {"body": BODY}})


def test_placeholders_are_the_numbers_in_numeric_order_each_once():
    assert template_placeholders(body="{{10}} {{2}} {{1}} {{2}}") == ["1", "2", "10"]
    assert template_placeholders(body="no placeholders") == []


def test_a_missing_value_is_an_error_on_its_placeholder(invite):
    errors = template_variables_errors(template=invite, variables={"1": "Robert"})
    assert list(errors) == ["2"]
    assert "{{2}}" in errors["2"][0] and "missing" in errors["2"][0]


def test_an_extra_value_is_an_error_naming_the_placeholder(invite):
    errors = template_variables_errors(template=invite, variables={"1": "Robert", "2": "Alicia", "3": "x"})
    assert list(errors) == ["3"]
    assert "{{3}}" in errors["3"][0] and "{{1}}, {{2}}" in errors["3"][0]


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_value_is_refused(invite, value):
    errors = template_variables_errors(template=invite, variables={"1": value, "2": "Alicia"})
    assert list(errors) == ["1"] and "empty" in errors["1"][0]


def test_an_oversize_value_is_refused_and_the_limit_is_allowed():
    template = Template(types={"twilio/text": {"body": "{{1}}"}})
    assert template_variables_errors(template=template, variables={"1": "x" * MAX_VALUE_LENGTH}) == {}
    errors = template_variables_errors(template=template, variables={"1": "x" * (MAX_VALUE_LENGTH + 1)})
    assert str(MAX_VALUE_LENGTH + 1) in errors["1"][0]


def test_a_rendered_message_over_whatsapps_limit_is_refused(invite):
    errors = template_variables_errors(template=invite, variables={"1": "x" * 600, "2": "y" * 600})
    assert list(errors) == ["variables"]


@pytest.mark.parametrize("value", ["line\nbreak", "tab\there", "bell\x07", "five     spaces"])
def test_control_characters_and_long_space_runs_are_refused(invite, value):
    assert list(template_variables_errors(template=invite, variables={"1": value, "2": "Alicia"})) == ["1"]


def test_quotes_and_apostrophes_are_fine(invite):
    # The JSON they travel in: tests/services/test_messages.py (message_send).
    values = {"1": "Robert O'Neil", "2": 'Alicia "Ali" D\'Souza \\ {x}'}
    assert template_variables_errors(template=invite, variables=values) == {}
    assert template_render(template=invite, variables=values).startswith("Hello Robert O'Neil, ")
    assert 'but Alicia "Ali" D\'Souza \\ {x} (your rider)' in template_render(template=invite, variables=values)


def test_errors_are_keyed_by_placeholder(invite):
    assert set(template_variables_errors(template=invite, variables={"2": ""})) == {"1", "2"}


def test_render_fills_every_placeholder_and_leaves_unknown_ones(invite):
    rendered = template_render(template=invite, variables={"1": "Robert"})
    assert rendered == BODY.replace("{{1}}", "Robert")
