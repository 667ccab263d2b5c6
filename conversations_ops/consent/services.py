"""Every write to the consent registry (issue 20): keyword-only services, one rule each.

- `consent_opt_in` / `consent_opt_out`: a change with how it happened and its evidence; the
  person's own messages, Twilio's receipts and imports come through here.
- `consent_set`: the staff override (opt in with a reason, opt out on request), audited.

A change is recorded once per evidence (applying a webhook twice records its message once),
and the registry's state is the latest change's by when it happened, so events applied out of
order end in the same state.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from conversations_ops import validators as v
from conversations_ops.audit.entries import audit_record
from conversations_ops.consent.selectors import consent_refusal_line
from conversations_ops.models import (
    OPT_IN_HOWS,
    OPT_OUT_HOWS,
    Consent,
    ConsentChange,
    ConsentHow,
    ConsentState,
)
from conversations_ops.pairings.actions import pairings_close_on_opt_out

# Changes that need words from whoever records them: staff's reason, an import's source.
NEEDS_REASON = {
    ConsentHow.STAFF_OPT_IN: "Say why the person may be messaged again (e.g. 'asked by phone on 3 Dec, ticket 1234').",
    ConsentHow.STAFF_OPT_OUT: "Say who asked and how (e.g. 'customer asked by phone, ticket 1234').",
    ConsentHow.IMPORTED: "Say where the consent was collected (e.g. 'in-store form, Paris boutique, 2026-11').",
}


def _check_addresses(address: str, sender: str) -> None:
    errors = {}
    for name, value in (("address", address), ("sender", sender)):
        try:
            v.validate_messaging_address(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if not errors and address.startswith(v.WHATSAPP_PREFIX) != sender.startswith(v.WHATSAPP_PREFIX):
        errors["sender"] = [
            "The person and the sender must be on the same channel: both whatsapp:+E.164, or both +E.164 (SMS)."
        ]
    if errors:
        raise ValidationError(errors)


def _record(
    *,
    address: str,
    sender: str,
    state: str,
    how: str,
    occurred_at: datetime | None,
    message_sid: str = "",
    keyword: str = "",
    error_code: int | None = None,
    reason: str = "",
    user=None,
) -> ConsentChange | None:
    """Writes one change and settles the state; None when this evidence was recorded already."""
    address, sender, reason = (address or "").strip(), (sender or "").strip(), (reason or "").strip()
    _check_addresses(address, sender)
    if how in NEEDS_REASON and not reason:
        raise ValidationError({"reason": NEEDS_REASON[how]})
    with transaction.atomic():
        consent, _ = Consent.objects.select_for_update().get_or_create(address=address, sender=sender)
        if message_sid and ConsentChange.objects.filter(consent=consent, message_sid=message_sid, how=how).exists():
            return None
        change = ConsentChange.objects.create(
            consent=consent,
            state=state,
            how=how,
            occurred_at=occurred_at or timezone.now(),
            message_sid=message_sid or "",
            keyword=keyword,
            error_code=error_code,
            reason=reason,
            staff=user if getattr(user, "is_authenticated", False) else None,
            staff_name=user.get_username() if getattr(user, "is_authenticated", False) else "",
        )
        _settle(consent)
        if change.staff is not None:
            audit_record(
                action=f"consent.{'opt_in' if state == ConsentState.OPTED_IN else 'opt_out'}",
                user=user,
                target=consent,
                detail={"sender": sender, "how": how, "reason": reason},
            )
    return change


def _settle(consent: Consent) -> None:
    """The state is the latest change's: by when it happened, then by when it was recorded."""
    latest = consent.changes.order_by("-occurred_at", "-id").first()
    state, how, since = (latest.state, latest.how, latest.occurred_at) if latest else (ConsentState.UNKNOWN, "", None)
    if (consent.state, consent.how, consent.since) != (state, how, since):
        consent.state, consent.how, consent.since = state, how, since
        consent.save(update_fields=["state", "how", "since", "updated_at"])


def consent_opt_in(
    *,
    address: str,
    sender: str,
    how: str,
    reason: str = "",
    message_sid: str = "",
    keyword: str = "",
    occurred_at: datetime | None = None,
    user=None,
) -> ConsentChange | None:
    """The person agreed to hear from `sender`: replied to an invite, wrote first, was imported with a
    source (`reason`), sent START, or staff confirmed it with a reason."""
    if how not in OPT_IN_HOWS:
        raise ValueError(f"{how!r} is not a way of opting in")
    return _record(
        address=address,
        sender=sender,
        state=ConsentState.OPTED_IN,
        how=how,
        occurred_at=occurred_at,
        message_sid=message_sid,
        keyword=keyword,
        reason=reason,
        user=user,
    )


def consent_opt_out(
    *,
    address: str,
    sender: str,
    how: str,
    reason: str = "",
    keyword: str = "",
    message_sid: str = "",
    error_code: int | None = None,
    occurred_at: datetime | None = None,
    user=None,
    close_pairings: bool = True,
) -> ConsentChange | None:
    """The person must not hear from `sender` any more: a keyword, staff on their request (with how
    they asked), or Twilio refusing a message with 21610 or a WhatsApp opt-out code.

    Their pairings with `sender` are closed (`consent_opt_out_close_pairings`); the keyword path
    passes close_pairings=False and closes them itself once its confirmation is queued (the
    confirmation must reach Twilio before the conversation closes)."""
    if how not in OPT_OUT_HOWS:
        raise ValueError(f"{how!r} is not a way of opting out")
    with transaction.atomic():
        change = _record(
            address=address,
            sender=sender,
            state=ConsentState.OPTED_OUT,
            how=how,
            occurred_at=occurred_at,
            message_sid=message_sid,
            keyword=keyword,
            error_code=error_code,
            reason=reason,
            user=user,
        )
        if change is not None and close_pairings:
            consent_opt_out_close_pairings(address=address, sender=sender, user=user)
    return change


def consent_opt_out_close_pairings(*, address: str, sender: str, user=None) -> list:
    """A pairing in which the person talks to `sender` ends now, its unsent messages with it (issue 20),
    in the opt-out's transaction: the opt-out is never recorded with the pairing left running. Nothing
    when they are not opted out (an older opt-out recorded after a newer opt-in)."""
    address, sender = (address or "").strip(), (sender or "").strip()
    refusal = consent_refusal_line(address, sender)
    if refusal is None:
        return []
    return pairings_close_on_opt_out(address=address, sender=sender, refusal=refusal, user=user)


def consent_set(*, address: str, sender: str, state: str, reason: str, user) -> ConsentChange:
    """The staff override, with a reason always: "Opt in (with reason)" or "Opt out on request".

    Nobody is opted back in without a recorded reason: the form, the command and this service
    all refuse an empty one (a ValidationError naming `reason`)."""
    if state == ConsentState.OPTED_IN:
        return consent_opt_in(address=address, sender=sender, how=ConsentHow.STAFF_OPT_IN, reason=reason, user=user)
    if state == ConsentState.OPTED_OUT:
        return consent_opt_out(address=address, sender=sender, how=ConsentHow.STAFF_OPT_OUT, reason=reason, user=user)
    raise ValidationError({"state": "Choose opted_in or opted_out."})
