"""Template placeholders ({{1}}..{{n}}): which a template has, checking the values
staff give for them (typed as JSON in the shell), and the text the person will read.

Values go to Twilio as `ContentVariables`, a JSON *string*; services/messages.py
builds it with json.dumps, never by formatting text, so quotes and apostrophes
survive (hand-built JSON is how twilio-node#1082 broke on "O'Neil").
"""

from __future__ import annotations

import json
import re
import unicodedata

from django.core.exceptions import ValidationError

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
# WhatsApp rejects a template message over 1024 characters (Twilio error 63021,
# https://www.twilio.com/docs/errors/63021); no single value can be longer than that either.
MAX_VALUE_LENGTH = 1024
MAX_RENDERED_LENGTH = 1024
# Meta refuses parameters with new lines, tabs or more than 4 spaces in a row.
TOO_MANY_SPACES = re.compile(r" {5,}")


def template_placeholders(*, body: str) -> list[str]:
    """The placeholder numbers a body uses, as strings, in numeric order, each once."""
    return sorted({match.group(1) for match in PLACEHOLDER.finditer(body or "")}, key=int)


def _body(template) -> str:
    return template.body_text if template is not None else ""


def _value_problem(value) -> str:
    if not isinstance(value, str):
        return "must be text"
    if not value.strip():
        return "is empty: give the text the person should read"
    if len(value) > MAX_VALUE_LENGTH:
        return f"is {len(value)} characters; WhatsApp accepts at most {MAX_VALUE_LENGTH}"
    if any(unicodedata.category(char) == "Cc" for char in value):
        return "contains a new line, tab or other control character; WhatsApp refuses them in template values"
    if TOO_MANY_SPACES.search(value):
        return "has more than 4 spaces in a row; WhatsApp refuses them in template values"
    return ""


def template_variables_errors(*, template, variables: dict | None) -> dict[str, list[str]]:
    """Problems keyed by placeholder number ("1", "2", ...); "variables" for the whole set."""
    variables = dict(variables or {})
    expected = template_placeholders(body=_body(template))
    errors: dict[str, list[str]] = {}
    for number in expected:
        if number not in variables:
            errors[number] = [f"{{{{{number}}}}} is missing: the template needs a value for it"]
            continue
        problem = _value_problem(variables[number])
        if problem:
            errors[number] = [f"{{{{{number}}}}} {problem}"]
    for extra in sorted(set(map(str, variables)) - set(expected), key=lambda k: (not k.isdigit(), k.zfill(9))):
        have = ", ".join(f"{{{{{n}}}}}" for n in expected) or "no placeholders"
        errors[extra] = [f"{{{{{extra}}}}} is not in this template (it has {have})"]
    if not errors:
        rendered = template_render(template=template, variables=variables)
        if len(rendered) > MAX_RENDERED_LENGTH:
            errors["variables"] = [
                f"The message would be {len(rendered)} characters; WhatsApp accepts at most {MAX_RENDERED_LENGTH}"
            ]
    return errors


def template_variables_parse(*, text: str) -> dict:
    """Variables typed as JSON (the shell command), or ValidationError."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError({"variables": f'Not valid JSON ({exc.msg}); e.g. \'{{"1": "Ana"}}\''}) from exc
    if not isinstance(value, dict):
        raise ValidationError({"variables": 'Give a JSON object, e.g. {"1": "Ana"}'})
    return {str(key): val for key, val in value.items()}


def template_render(*, template, variables: dict | None) -> str:
    """The text the person will read (the preview); unknown placeholders stay as written."""
    variables = {str(key): value for key, value in (variables or {}).items()}

    def fill(match):
        value = variables.get(match.group(1))
        return value if isinstance(value, str) else match.group(0)

    return PLACEHOLDER.sub(fill, _body(template))
