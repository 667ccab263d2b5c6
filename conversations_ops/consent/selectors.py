"""Reads of the consent registry, and THE one question every send path asks.

`consent_refusal(address, sender)` answers why the business must not message this person
from this sender ("opted out by texting STOP on 2026-12-03 14:05"), or None when it may.
The send guard, the pairing pre-flight, outreach, resend and bulk paths call it (issue 20,
item 3); an unknown person is not refused here: whether an unknown person may get a
business-initiated message is the template rules' question (WhatsApp's window), not consent's.
"""

from __future__ import annotations

from django.utils import timezone

from conversations_ops.masking import mask_address, mask_numbers_in
from conversations_ops.models import Consent, ConsentChange, ConsentHow, ConsentState


def consent_for(*, address: str, sender: str) -> Consent | None:
    return Consent.objects.filter(address=(address or "").strip(), sender=(sender or "").strip()).first()


def consent_state(*, address: str, sender: str) -> str:
    """opted_in, opted_out or unknown (nothing recorded)."""
    consent = consent_for(address=address, sender=sender)
    return consent.state if consent is not None else ConsentState.UNKNOWN


def consent_history(consent: Consent | None) -> list[ConsentChange]:
    """Oldest first: the order in which it happened."""
    if consent is None:
        return []
    return list(consent.changes.select_related("staff").order_by("occurred_at", "id"))


def when_text(moment) -> str:
    """A time as staff read it: the console's time zone (TIME_ZONE), to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "an unknown time"


def change_words(change: ConsentChange) -> str:
    """How a change came about, in a sentence's words: "opted out by texting STOP on 2026-12-03 14:05"."""
    when = when_text(change.occurred_at)
    by = f" (recorded by {change.staff_name})" if change.staff_name else ""
    reason = f": {change.reason}" if change.reason else ""
    words = {
        ConsentHow.KEYWORD_OPT_OUT: f"opted out by texting {change.keyword or 'STOP'} on {when}",
        ConsentHow.STAFF_OPT_OUT: f"opted out on request on {when}{by}{reason}",
        ConsentHow.TWILIO_21610: (
            f"opted out: Twilio refused message {change.message_sid} with 21610 on {when} "
            "(they texted STOP to this number; Twilio blocks it until they text START)"
        ),
        ConsentHow.WHATSAPP_CODE: (
            f"opted out: WhatsApp refused message {change.message_sid} with {change.error_code} on {when} "
            "(they blocked or stopped this sender)"
        ),
        ConsentHow.KEYWORD_OPT_IN: f"opted in by texting {change.keyword or 'START'} on {when}",
        ConsentHow.INVITE_REPLY: f"opted in by replying to an invite on {when}",
        ConsentHow.WROTE_FIRST: f"opted in by writing first on {when}",
        ConsentHow.IMPORTED: f"opted in by import on {when}{reason and f' (source{reason})'}",
        ConsentHow.STAFF_OPT_IN: f"opted in by staff on {when}{by}{reason}",
    }
    return words.get(change.how, f"{change.get_state_display().lower()} on {when}")


def consent_refusal(address: str, sender: str) -> str | None:
    """Why `sender` must not message `address` (the reason with when), or None when it may.

    Next session's enforcement calls this from every send path; a staff-facing caller shows the
    answer through the masking helpers like any other text (reasons are staff's own words)."""
    consent = consent_for(address=address, sender=sender)
    if consent is None or consent.state != ConsentState.OPTED_OUT:
        return None
    latest = consent.changes.order_by("-occurred_at", "-id").first()
    return change_words(latest) if latest is not None else f"opted out on {when_text(consent.since)}"


def consent_refusal_line(address: str, sender: str) -> str | None:
    """The refusal as every send path shows it (connected to the outbox's question in apps.py):
    who, from which of our numbers, why and since when, and what would lift it. Masked always:
    it reaches pages, command output and an operation's error, read by staff of any rights."""
    refusal = consent_refusal(address, sender)
    if refusal is None:
        return None
    return (
        f"{mask_address(address)} must not be messaged from {sender}: {mask_numbers_in(refusal)}. "
        "Nothing is sent until they opt back in (they text START, or staff record their request "
        "with a reason under Consent)."
    )


def change_summary(change: ConsentChange, *, full_numbers: bool) -> dict:
    text = (lambda s: s) if full_numbers else mask_numbers_in
    return {
        "state": change.state,
        "how": change.how,
        "occurred_at": change.occurred_at.isoformat(),
        "message_sid": change.message_sid or None,
        "keyword": change.keyword or None,
        "error_code": change.error_code,
        "reason": text(change.reason) or None,
        "staff": change.staff_name or None,
        "recorded_at": change.recorded_at.isoformat() if change.recorded_at else None,
        "words": text(change_words(change)),
    }


def consent_summary(*, address: str, sender: str, full_numbers: bool) -> dict:
    """`consent show --json`: the state (unknown when nothing is recorded) and the history, oldest first."""
    consent = consent_for(address=address, sender=sender)
    return {
        "address": address if full_numbers else mask_address(address),
        "sender": sender,
        "state": consent.state if consent else ConsentState.UNKNOWN,
        "how": (consent.how or None) if consent else None,
        "since": consent.since.isoformat() if consent and consent.since else None,
        "refusal": (
            (lambda s: s if full_numbers else mask_numbers_in(s))(refusal)
            if (refusal := consent_refusal(address, sender))
            else None
        ),
        "history": [change_summary(change, full_numbers=full_numbers) for change in consent_history(consent)],
    }
