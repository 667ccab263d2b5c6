"""The account's own business addresses, read from Twilio for the address configuration form.

Twilio accepts an address configuration only for an address that belongs to the account
(https://www.twilio.com/docs/conversations/api/address-configuration-resource): an SMS
number among its phone numbers (Api v2010 IncomingPhoneNumbers), a WhatsApp address among
its WhatsApp senders (Messaging v2 Channels Senders). Offering exactly those, instead of a
free-text field, keeps staff from typing an address Twilio then refuses (21606 / 63007).
Staff wait for the page, so both reads go through `read_with_retries`.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from conversations_ops.twilio.reads import read_failure_line, read_with_retries


@dataclass(frozen=True)
class OwnedSender:
    address: str  # as an address configuration names it: "+1..." or "whatsapp:+1..."
    type: str  # "sms" | "whatsapp"
    label: str


@dataclass(frozen=True)
class OwnedSenders:
    senders: list[OwnedSender]
    # WhatsApp senders not ONLINE yet (still being registered, or offline): Twilio refuses them.
    not_online: list[str]
    # Set when Twilio could not be read: staff then type the address themselves.
    failure: str | None = None


def owned_senders() -> OwnedSenders:
    """The account's WhatsApp senders (ONLINE) and SMS-capable phone numbers, WhatsApp first."""
    try:
        whatsapp = read_with_retries(lambda: list(gateway.whatsapp_sender_list()))
        numbers = read_with_retries(lambda: list(gateway.phone_number_list()))
    except GatewayError as exc:
        return OwnedSenders(senders=[], not_online=[], failure=read_failure_line(exc))
    senders = [
        OwnedSender(
            address=s.sender_id,
            type="whatsapp",
            label=f"WhatsApp {s.sender_id}" + (f" ({s.profile_name})" if s.profile_name else ""),
        )
        for s in whatsapp
        if s.online and s.sender_id
    ]
    senders += [
        OwnedSender(
            address=n.phone_number,
            type="sms",
            label=f"SMS {n.phone_number}"
            + (f" ({n.friendly_name})" if n.friendly_name and n.friendly_name != n.phone_number else ""),
        )
        for n in numbers
        if n.sms_capable
    ]
    not_online = [f"{s.sender_id} ({s.status})" for s in whatsapp if not s.online and s.sender_id]
    return OwnedSenders(senders=senders, not_online=not_online)
