"""Twilio failures in plain words: what happened and what staff do next.

Staff meet a handful of codes again and again; each gets a meaning and a
next step. Anything else falls back to Twilio's own page for the code.
"""

from dataclasses import dataclass

TWILIO_ERROR_PAGE = "https://www.twilio.com/docs/errors/{code}"
TWILIO_STATUS_PAGE = "https://status.twilio.com/"


@dataclass(frozen=True)
class Explanation:
    title: str
    meaning: str
    next_step: str
    link: str


_KNOWN = {
    50416: (
        "Number pair already in another open conversation",
        "This person's address already talks to the same business number in another conversation "
        "that is not closed. Twilio routes replies by that pair, so only one open conversation may hold it.",
        "Close that other conversation, or remove the participant from it, then retry.",
    ),
    63016: (
        "Outside the WhatsApp 24-hour window",
        "WhatsApp only delivers free-form messages within 24 hours of the customer's last message.",
        "Send an approved template (content SID HX...) instead; free text works again once the customer replies.",
    ),
    20429: (
        "Too many requests",
        "Twilio asked the console to slow down. The request was not carried out, so trying again is safe.",
        "Nothing to do: the console retries by itself. If it keeps failing, wait a minute and use Retry failed.",
    ),
    20404: (
        "Not found on Twilio",
        "Twilio no longer has this record: it was deleted there, or never existed.",
        "Use Pull from Twilio to refresh the console's copy.",
    ),
    21211: (
        "Invalid phone number",
        "Twilio does not accept this phone number.",
        "Check the number: E.164 format with the country code, e.g. +14155550100, then retry.",
    ),
    50407: (
        "Invalid messaging address",
        "The address is not one Twilio can message: SMS needs an E.164 number, WhatsApp the whatsapp: prefix.",
        "Check the address is E.164 (e.g. +14155550100) and WhatsApp ones start with whatsapp:, then retry.",
    ),
    # The Content API answers a bad template body, approval name or category, and a
    # template already submitted for approval, with this code.
    20001: (
        "Twilio refused the template's details",
        "Twilio did not accept a value: the template's body or variables, the approval name, "
        "the category, or a template that was already submitted for WhatsApp approval.",
        "Correct the value Twilio's message names and try again; a template already submitted "
        "cannot be submitted again: create a new one.",
    ),
    20003: (
        "Twilio refused the console's credentials",
        "Authentication failed: the account SID or auth token the console uses is wrong or was rotated.",
        "Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN in the console's environment, restart it, then retry.",
    ),
}

# A status without a code (e.g. a bare 429 from a proxy) means the same as its code.
_CODE_FOR_STATUS = {429: 20429, 404: 20404, 401: 20003}


def explain(code: int | None, status: int | None) -> Explanation:
    code = code or _CODE_FOR_STATUS.get(status)
    if code in _KNOWN:
        title, meaning, next_step = _KNOWN[code]
        return Explanation(title, meaning, next_step, TWILIO_ERROR_PAGE.format(code=code))
    if code:
        return Explanation(
            f"Twilio error {code}",
            "Twilio refused the request; its message says why.",
            "Read Twilio's page for this code, correct the record, then retry.",
            TWILIO_ERROR_PAGE.format(code=code),
        )
    if status is None:
        return Explanation(
            "Twilio did not answer",
            "The request timed out or the connection failed; it may or may not have reached Twilio.",
            "Nothing to do at first: the console retries and checks Twilio before creating again. "
            "If it keeps failing, check the network and Twilio's status page, then use Retry failed.",
            TWILIO_STATUS_PAGE,
        )
    if status >= 500:
        return Explanation(
            f"Twilio had a problem (HTTP {status})",
            "The error is on Twilio's side; the request may or may not have been carried out.",
            "The console retries by itself. If it keeps failing, check Twilio's status page, then use Retry failed.",
            TWILIO_STATUS_PAGE,
        )
    return Explanation(
        f"Twilio refused the request (HTTP {status})",
        "Twilio gave no error code; its message says why.",
        "Correct the record, then retry.",
        "https://www.twilio.com/docs/api/errors",
    )


def explain_error(exc) -> Explanation:
    """Explains a GatewayError (or anything carrying `code` and `status`)."""
    return explain(getattr(exc, "code", None), getattr(exc, "status", None))


def explain_line(exc) -> str:
    """One line for a message to staff: Twilio's words, then what to do."""
    explanation = explain_error(exc)
    message = getattr(exc, "message", "") or str(exc)
    return f"{explanation.title}: {message} {explanation.next_step}"
