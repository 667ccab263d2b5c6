"""Twilio failures in plain words: what happened and what staff do next.

The codes staff meet most (error_codes.py) each get a meaning and a next step.
Anything else falls back to Twilio's own page for the code.
"""

from dataclasses import dataclass

from conversations_ops.twilio.error_codes import CODES

TWILIO_ERROR_PAGE = "https://www.twilio.com/docs/errors/{code}"
TWILIO_STATUS_PAGE = "https://status.twilio.com/"


@dataclass(frozen=True)
class Explanation:
    title: str
    meaning: str
    next_step: str
    link: str


# A status without a code (e.g. a bare 429 from a proxy) means the same as its code.
_CODE_FOR_STATUS = {429: 20429, 404: 20404, 401: 20003}


def explain(code: int | None, status: int | None) -> Explanation:
    code = code or _CODE_FOR_STATUS.get(status)
    if code in CODES:
        title, meaning, next_step = CODES[code]
        return Explanation(title, meaning, next_step, TWILIO_ERROR_PAGE.format(code=code))
    if status is not None and status >= 500:  # Twilio's side, with or without a code we know
        which = f"HTTP {status}, error {code}" if code else f"HTTP {status}"
        return Explanation(
            f"Twilio had a problem ({which})",
            "The error is on Twilio's side; the request may or may not have been carried out.",
            "The console retries by itself. If it keeps failing, check Twilio's status page, then use Retry failed.",
            TWILIO_ERROR_PAGE.format(code=code) if code else TWILIO_STATUS_PAGE,
        )
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
