"""The numbers the crawl seeds, in every form the masking rule must recognise, and how a leak is found.

A leak is found without the masking code: the page's text, with separators and "+"/URL-encoded
"+" removed, must not contain a seeded number's national significant number ("5017122661" for
+1 501 712 2661). A masked form keeps only the last four digits, so it never matches."""

import re

PERSON = "+15017122661"  # a customer
COURIER = "+4915123456789"  # a courier
# The national significant numbers: what a whole number, in any form, always spells.
WHOLE = ("5017122661", "15123456789")

SEED_TEXT = (
    "Call +15017122661, whatsapp:+15017122661 (WaId 15017122661), To=whatsapp%3A%2B15017122661, "
    "+1 501-712-2661 or (501) 712-2661; courier +49 151 2345 6789, 0151 23456789, "
    "next=%252B4915123456789, whatsapp:4915123456789"
)
SEED_JSON = {
    "phone": "+15017122661",
    "WaId": "15017122661",
    "note": SEED_TEXT,
    "numbers": ["whatsapp:+4915123456789", "(501) 712-2661"],
}
SEED_PARAMS = [["WaId", "15017122661"], ["From", "whatsapp:+15017122661"], ["Body", SEED_TEXT]]

_SEPARATORS = re.compile(r"%252B|%2B|&nbsp;|[\s\-().+\u00a0\u202f]", re.IGNORECASE)


def whole_numbers_in(text: str) -> list[str]:
    """The seeded numbers found whole in the text (any spacing, prefix or URL encoding)."""
    compact = _SEPARATORS.sub("", text)
    return [number for number in WHOLE if number in compact]


def leak_context(text: str) -> str:
    """Where the first leak sits, for the failure message."""
    for number in WHOLE:
        last = number[-4:]
        for match in re.finditer(re.escape(last), text):
            window = text[max(0, match.start() - 60) : match.end() + 10]
            if number in _SEPARATORS.sub("", window):
                return window.replace("\n", " ")
    return text[:200]
