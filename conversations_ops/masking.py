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
- `mask_numbers_in(text)` for any text that may hold a number (names, attributes,
  Twilio's error messages, webhook payloads, admin messages, log lines, error
  reports): the one rule that recognises a number wherever it is written.

What counts as a number (`mask_numbers_in`), in the order it is looked for:
1. "+" (or its URL encodings %2B and %252B) and 7-15 digits, compact or with single
   spaces, dashes, dots or brackets between groups: E.164 as Twilio writes it and
   as people type it. Not glued to letters, digits or base64 around it (signatures
   and tokens hold "+" followed by digits too). No validity check: a fictional
   +44 7700 900123 is still somebody's number to a reader.
2. `whatsapp:` / `messenger:` followed by digits without "+" (a Messenger PSID is
   a person's id too).
3. National forms, spaced or dashed ("(415) 555-0100", "0151 23456789"), found by
   `phonenumbers.PhoneNumberMatcher` in each region of NATIONAL_NUMBER_REGIONS,
   leniency VALID: the library already skips dates, times and numbers it cannot
   place, and only a number valid in that region counts.
4. A bare run of 8-15 digits (WhatsApp's `WaId` is the number without "+") that
   is a valid number once "+" is put before it. SIDs (letters glued on), amounts
   (a decimal point), timestamps (20261203123456 is no valid number, nor
   1764763200 or its milliseconds) and short order numbers stay.
"""

import functools
import re

import phonenumbers
from django.db.models import BooleanField, Value

from conversations_ops import validators as v
from conversations_ops.permissions import VIEW_FULL_NUMBERS

_PHONE = re.compile(r"^\+(\d{2})(\d+)(\d{4})$")
HIDDEN = "•••••"
# Rule 1: "+" (or %2B, %252B) then digit groups with at most one separator between them.
_NUMBER_IN_TEXT = re.compile(
    r"((?<![\w+/=])\+|%2B|%252B)(\d(?:[ \-.]?\(?\d\)?){6,18})(?![\w/=])",
    re.IGNORECASE,
)
# Rule 2: a channel address without "+".
_CHANNEL_ID = re.compile(r"\b(whatsapp:|messenger:)(\d{6,20})(?!\w)", re.IGNORECASE)
# Rule 4: a bare run of digits, not part of a word, a decimal or a path.
_BARE = re.compile(r"(?<![\w.\-/%+•])(\d{8,15})(?![\w/•]|\.\d)")
# Rule 3's candidates: a run of digits with spaces, dashes, dots or brackets, not part of a word.
_NATIONAL_CANDIDATE = re.compile(r"(?<![\w+%/=•])\(?\d[\d \-.()]{5,22}\d(?![\w/•])")
_DATE_OR_TIME = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\d:\d\d")
# Seven digits, possibly separated: anything shorter is no phone number, and most
# texts (log lines) have no such run, so the rules above are skipped for them.
_MAYBE_NUMBER = re.compile(r"\d(?:[\s().\-]{0,3}\d){6}")
# Regions whose national forms are recognised when NATIONAL_NUMBER_REGIONS is not set.
DEFAULT_NATIONAL_REGIONS = ("US", "GB", "DE")
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


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _mask_prefixed(match: re.Match) -> str:
    digits = _digits(match.group(2))
    return f"{match.group(1)}{digits[:2]}{HIDDEN}{digits[-4:]}"


def _mask_bare(match: re.Match) -> str:
    digits = match.group(1)
    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(f"+{digits}", None))
    except phonenumbers.NumberParseException:
        valid = False
    return f"{HIDDEN}{digits[-4:]}" if valid else digits


def national_regions() -> tuple[str, ...]:
    """The regions whose national forms count (read now: tests and settings overrides change them)."""
    from django.conf import settings  # noqa: PLC0415 - logging loads this module before settings are read

    regions = getattr(settings, "NATIONAL_NUMBER_REGIONS", None) if settings.configured else None
    return tuple(regions) if regions is not None else DEFAULT_NATIONAL_REGIONS


def _mask_candidate(match: re.Match) -> str:
    """A national-looking run masked when, in one of the regions, it is a valid number."""
    candidate = match.group(0)
    digits = _digits(candidate)
    if not 7 <= len(digits) <= 15 or _DATE_OR_TIME.search(candidate):
        return candidate
    if candidate.isdigit() and not candidate.startswith("0"):
        return candidate  # digits alone: rule 4 decides (valid with "+"), so ids and epochs stay
    for region in national_regions():
        pieces, end = [], 0
        for found in phonenumbers.PhoneNumberMatcher(candidate, region, leniency=phonenumbers.Leniency.VALID):
            pieces += [candidate[end : found.start], f"{HIDDEN}{_digits(found.raw_string)[-4:]}"]
            end = found.end
        if pieces:
            return "".join(pieces) + candidate[end:]
    return candidate


def _mask_national(text: str) -> str:
    # The matcher is slow (pure Python, ~0.5 ms a call): it only sees short runs that look like
    # a national number, never whole texts, and never a date or a time.
    return _NATIONAL_CANDIDATE.sub(_mask_candidate, text)


def mask_numbers_in(text: str) -> str:
    """Every phone number in the text masked (the forms are in this module's docstring); the rest untouched."""
    if not text or not _MAYBE_NUMBER.search(text):
        return text
    if len(text) <= _CACHED_LENGTH:
        return _masked_cached(text, national_regions())
    return _masked(text)


# A list page masks the same names and values row after row: short texts are remembered.
_CACHED_LENGTH = 2000


@functools.lru_cache(maxsize=4096)
def _masked_cached(text: str, regions: tuple[str, ...]) -> str:  # regions: part of the key, settings change
    return _masked(text)


def _masked(text: str) -> str:
    text = _NUMBER_IN_TEXT.sub(_mask_prefixed, text)
    text = _CHANNEL_ID.sub(lambda m: f"{m.group(1)}{HIDDEN}{m.group(2)[-4:]}", text)
    if not _MAYBE_NUMBER.search(text):
        return text
    return _BARE.sub(_mask_bare, _mask_national(text))


def contains_number(text: str | None) -> bool:
    """Whether the text holds a number `mask_numbers_in` would mask."""
    return bool(text) and mask_numbers_in(text) != text


def mask_data(value):
    """A JSON-like value (dicts, lists, strings) with every number in its strings masked (keys too)."""
    if isinstance(value, dict):
        return {mask_data(k) if isinstance(k, str) else k: mask_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(item) for item in value]
    return mask_numbers_in(value) if isinstance(value, str) else value


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
