"""Every Twilio error code the simulator can emit has a plain-words explanation, and the
explanations themselves say what happened, what to do next, and link Twilio's page."""

import ast
import re
from pathlib import Path

import pytest

from conversations_ops.twilio.error_codes import CODES
from conversations_ops.twilio.errors import explain

ROOT = Path(__file__).resolve().parent.parent
SIMULATOR = ROOT / "simulator"
ERROR_CALLS = {"TwilioError", "error_response", "invalid"}  # api/errors.py, api/params.py
# Five-digit integers in the simulator that are not error codes.
NOT_ERROR_CODES = {60_000: "control/faults_views.py: the latency_ms maximum"}
# Codes the simulator answers only with an HTTP 5xx: explained as Twilio's side, with the code's page.
SERVER_SIDE_ONLY = {20504: 504}  # faults.py: an injected timeout


def _is_code_name(name: str | None) -> bool:
    return bool(name) and (name == "code" or name.endswith("_code"))


def _codes_in_module(tree: ast.Module) -> set[int]:
    """The error codes one simulator module emits: the code of every TwilioError/error_response/
    invalid call, every `code=`/`*_code=` argument or default, the codes of an `*ERRORS*` table,
    and named codes a function returns (engine/delivery.py's refusal) -- literals or module constants."""
    constants = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    }

    def ints(expr) -> set[int]:
        if isinstance(expr, ast.Constant) and type(expr.value) is int:
            return {expr.value}
        if isinstance(expr, ast.Name) and expr.id in constants:
            return ints(constants[expr.id])
        if isinstance(expr, ast.IfExp):  # `A if open_window else B`
            return ints(expr.body) | ints(expr.orelse)
        return set()

    codes: set[int] = set()
    for name, value in constants.items():
        if "ERRORS" in name and isinstance(value, ast.Dict):
            codes |= {c for v in value.values if isinstance(v, ast.Tuple) for c in ints(v.elts[0])}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if callee in ERROR_CALLS and len(node.args) > 1:
                codes |= ints(node.args[1])
        elif isinstance(node, ast.keyword) and _is_code_name(node.arg):
            codes |= ints(node.value)
        elif isinstance(node, ast.arguments):
            positional = node.posonlyargs + node.args
            pairs = list(zip(positional[len(positional) - len(node.defaults) :], node.defaults, strict=True))
            pairs += [(a, d) for a, d in zip(node.kwonlyargs, node.kw_defaults, strict=True) if d is not None]
            codes |= {c for arg, default in pairs if _is_code_name(arg.arg) for c in ints(default)}
        elif isinstance(node, ast.Return) and node.value is not None:
            codes |= {c for c in ints(node.value) if 10_000 <= c <= 99_999}
    return codes


def _simulator_modules():
    for path in sorted(SIMULATOR.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def simulator_codes() -> set[int]:
    return set().union(*(_codes_in_module(tree) for _, tree in _simulator_modules()))


def test_the_collection_finds_the_simulators_codes_from_every_source():
    codes = simulator_codes()
    assert len(codes) >= 20, sorted(codes)
    assert {
        20001,  # params.invalid's default
        20003,  # error_response in api/common.py
        20429,  # engine/ratelimit.py and faults.py
        20500,  # faults.py's _ERRORS table
        21910,  # TwilioError in engine/inbound.py
        30005,  # error_code=UNKNOWN_DESTINATION (a handset entry)
        50375,  # minimum_code= in api/conversations.py
        63016,  # engine/delivery.py: a receipt's error_code
        63040,
    } <= codes


def test_the_collection_misses_no_five_digit_number_in_the_simulator():
    """A code emitted some new way still shows up here, and must be taught to the collection."""
    literals = {
        node.value
        for _, tree in _simulator_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and type(node.value) is int and 10_000 <= node.value <= 99_999
    }
    assert literals - simulator_codes() == set(NOT_ERROR_CODES)


def test_every_code_the_simulator_emits_is_explained():
    unexplained = sorted(code for code in simulator_codes() - set(SERVER_SIDE_ONLY) if code not in CODES)
    assert unexplained == [], f"add these to conversations_ops/twilio/error_codes.py: {unexplained}"
    for code, status in SERVER_SIDE_ONLY.items():
        explanation = explain(code, status)
        assert explanation.title == f"Twilio had a problem (HTTP {status}, error {code})"
        assert explanation.link == f"https://www.twilio.com/docs/errors/{code}"


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_explanation_says_what_happened_what_to_do_and_links_twilio(code):
    explanation = explain(code, None)
    title, meaning, next_step = CODES[code]
    assert (explanation.title, explanation.meaning, explanation.next_step) == (title, meaning, next_step)
    assert title and meaning.endswith(".") and next_step.endswith(".")
    assert explanation.link == f"https://www.twilio.com/docs/errors/{code}"


@pytest.mark.parametrize(
    ("code", "title_has", "next_has"),
    [
        (63032, "WhatsApp experiment", "ask the person to write first"),
        (63024, "Not a valid WhatsApp recipient", "Resend"),
        (21610, "opted out", "START"),
        (63014, "blocked this sender", "no marketing templates"),
        (30007, "Filtered by the carrier", "Reword"),
        (50377, "closed", "new conversation"),
        (50433, "already in the conversation", "Pull from Twilio"),
        (21655, "Unknown template", "Sync templates from Twilio"),
        (92009, "already submitted", "Create a new template"),
    ],
)
def test_representative_codes_name_the_consoles_next_step(code, title_has, next_has):
    explanation = explain(code, 400)
    assert title_has in explanation.title
    assert next_has in explanation.next_step


def test_an_unknown_code_falls_back_to_its_twilio_page():
    explanation = explain(30034, 400)
    assert explanation.title == "Twilio error 30034"
    assert "Twilio's page" in explanation.next_step
    assert explanation.link == "https://www.twilio.com/docs/errors/30034"


def test_an_unknown_code_with_a_server_error_is_twilios_side():
    explanation = explain(20599, 502)
    assert explanation.title == "Twilio had a problem (HTTP 502, error 20599)"
    assert "retries" in explanation.next_step
    assert explanation.link == "https://www.twilio.com/docs/errors/20599"


def test_the_reference_lists_every_explained_code():
    text = (ROOT / "docs" / "twilio-reference.md").read_text()
    section = text.split("## Error codes the console explains", 1)[1].split("\n## ", 1)[0]
    listed = {int(code) for code in re.findall(r"^\| (\d{5}) \|", section, flags=re.MULTILINE)}
    assert listed == set(CODES)
