"""Phone numbers shown masked: whatsapp:+49•••••1234.

Staff see who is who (country code, last four digits) without the whole
number; the full number is for those given "view full numbers" (superusers
have every permission). A chat identity or anything that is not a phone
number is shown as it is.

Three ways in:
- `address_for(user, address)` where the viewer is at hand (views, forms);
- `for_viewer(queryset, user)` flags the rows an admin loads for someone who may
  not see numbers, so display methods (which get only the row) and the row's
  own `str()` mask them: `shown(row, text)`;
- `mask_numbers_in(text)` for free text that may quote a number (Twilio's error
  messages, webhook payloads, log lines).
"""

import re

from django.db.models import BooleanField, Value

from conversations_ops import validators as v
from conversations_ops.permissions import VIEW_FULL_NUMBERS

_PHONE = re.compile(r"^\+(\d{2})(\d+)(\d{4})$")
HIDDEN = "•••••"
# An E.164 number inside text: "+" (or its URL encoding %2B, as in logged query
# strings, or %252B, encoded twice as in a login redirect's ?next=) and 7-15
# digits, not glued to letters, digits or base64 around it (signatures and
# tokens hold "+" followed by digits too).
_NUMBER_IN_TEXT = re.compile(r"((?<![\w+/=])\+|%2B|%252B)(\d{2})(\d{1,9})(\d{4})(?![\w/=])", re.IGNORECASE)
# The name of the flag `for_viewer` puts on each row.
NUMBERS_MASKED = "numbers_masked"


def mask_address(address: str | None) -> str:
    if not address:
        return ""
    prefix, number = "", address
    if number.startswith(v.WHATSAPP_PREFIX):
        prefix, number = v.WHATSAPP_PREFIX, number[len(v.WHATSAPP_PREFIX) :]
    match = _PHONE.match(number)
    if not match:
        return address
    return f"{prefix}+{match.group(1)}{HIDDEN}{match.group(3)}"


def mask_numbers_in(text: str) -> str:
    """Every phone number quoted in the text masked like mask_address; the rest untouched."""
    if not text or ("+" not in text and "%2" not in text):
        return text
    return _NUMBER_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}{HIDDEN}{m.group(4)}", text)


def can_see_full_numbers(user) -> bool:
    return bool(user is not None and user.has_perm(VIEW_FULL_NUMBERS))


def address_for(user, address: str | None) -> str:
    """The address as this staff member may see it: whole with "view full numbers", else masked."""
    return (address or "") if can_see_full_numbers(user) else mask_address(address)


def text_for(user, text: str | None) -> str:
    """Free text as this staff member may see it: numbers in it masked unless allowed."""
    return (text or "") if can_see_full_numbers(user) else mask_numbers_in(text or "")


def for_viewer(queryset, user):
    """The rows flagged for a viewer who may not see numbers (an annotation: no extra query)."""
    if can_see_full_numbers(user):
        return queryset
    return queryset.annotate(**{NUMBERS_MASKED: Value(True, output_field=BooleanField())})


def is_masked(row) -> bool:
    return bool(getattr(row, NUMBERS_MASKED, False))


def shown(row, text: str | None) -> str:
    """An address or free text of a row loaded with `for_viewer`: masked when its viewer may not see numbers."""
    if not is_masked(row):
        return text or ""
    return (
        mask_address(text)
        if _PHONE.match((text or "").removeprefix(v.WHATSAPP_PREFIX))
        else mask_numbers_in(text or "")
    )
