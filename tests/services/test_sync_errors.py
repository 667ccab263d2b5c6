import pytest

from conversations_ops.twilio.errors import explain, explain_line
from conversations_ops.twilio.gateway import GatewayError


@pytest.mark.parametrize(
    ("code", "status", "title_has", "next_has"),
    [
        (50416, 409, "already in another open conversation", "Close that other conversation"),
        (63016, None, "24-hour window", "approved template"),
        (20429, 429, "Too many requests", "wait a minute"),
        (20404, 404, "Not found on Twilio", "Pull from Twilio"),
        (21211, 400, "Invalid phone number", "E.164"),
        (50407, 400, "Invalid messaging address", "whatsapp:"),
        (20003, 401, "credentials", "TWILIO_AUTH_TOKEN"),
    ],
)
def test_known_codes_say_what_happened_and_what_to_do(code, status, title_has, next_has):
    explanation = explain(code, status)
    assert title_has in explanation.title
    assert next_has in explanation.next_step
    assert explanation.meaning
    assert explanation.link == f"https://www.twilio.com/docs/errors/{code}"


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (404, 20404), (401, 20003)])
def test_a_status_without_a_code_means_its_code(status, code):
    assert explain(None, status) == explain(code, None)


def test_no_answer_is_a_timeout_or_connection_problem():
    explanation = explain(None, None)
    assert "did not answer" in explanation.title
    assert "retries" in explanation.next_step


def test_unknown_code_falls_back_to_twilios_page():
    explanation = explain(30034, 400)
    assert explanation.title == "Twilio error 30034"
    assert explanation.link == "https://www.twilio.com/docs/errors/30034"


def test_server_errors_without_a_code_are_twilios_side():
    assert "Twilio had a problem" in explain(None, 503).title


def test_one_line_for_a_gateway_error():
    exc = GatewayError(status=409, code=50416, message="Participant and proxy address pair is already in use")
    line = explain_line(exc)
    assert "pair is already in use" in line and "Close that other conversation" in line
