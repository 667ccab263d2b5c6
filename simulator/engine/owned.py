"""The addresses the simulated account owns: its phone numbers and its WhatsApp senders.

Twilio's Address Configuration resource: "The unique address must be a single address
(i.e. a WhatsApp or SMS phone number) that belongs to your Twilio Account"
(https://www.twilio.com/docs/conversations/api/address-configuration-resource). Twilio's
docs give no error code for an address that does not belong to the account, so the
simulator answers the documented code for "this sender is not on your account" of the
address's channel (docs/fidelity.md, "Addresses, numbers and senders"):

- SMS: 21606, whose causes include "The number you are using does not belong to the account
  whose credentials are present in the API request" (https://www.twilio.com/docs/errors/21606);
- WhatsApp: 63007, "Twilio could not find a Channel with the specified From address"
  (https://www.twilio.com/docs/errors/63007).

The WhatsApp Sandbox number is Twilio's, shared by every account
(https://www.twilio.com/docs/whatsapp/sandbox): it is never the account's sender, and
Twilio's guide connects it to Conversations with a "When a message comes in" webhook instead
of an address configuration with auto-creation
(https://www.twilio.com/docs/flex/admin-guide/setup/conversations/manage-conversations-whatsapp-addresses).
"""

from django.db import transaction

from simulator import clock
from simulator.api.errors import TwilioError
from simulator.models import SimAddressConfiguration, SimPhoneNumber, SimWhatsAppSender
from simulator.sids import new_sid

SANDBOX_WHATSAPP = "whatsapp:+14155238886"
NOT_OWNED_SMS = 21606
NOT_OWNED_WHATSAPP = 63007


def check_configurable(kind: str, address: str) -> None:
    """Refuses an address configuration for an address the account does not own."""
    if address == SANDBOX_WHATSAPP:
        raise TwilioError(
            400,
            NOT_OWNED_WHATSAPP,
            f"'{address}' is the WhatsApp Sandbox number, shared by every Twilio account: it cannot have an "
            "Address Configuration or auto-create conversations. Point the Sandbox's 'When a message comes in' "
            "webhook at your application instead.",
        )
    if kind == "sms" and not SimPhoneNumber.objects.filter(phone_number=address).exists():
        raise TwilioError(
            400,
            NOT_OWNED_SMS,
            f"The phone number '{address}' is not a phone number of this account (IncomingPhoneNumbers).",
        )
    if kind == "whatsapp":
        sender = SimWhatsAppSender.objects.filter(sender_id=address).first()
        if sender is None:
            raise TwilioError(
                400,
                NOT_OWNED_WHATSAPP,
                f"Twilio could not find a WhatsApp sender '{address}' on this account (Channels Senders).",
            )
        if sender.status != "ONLINE":
            raise TwilioError(
                400,
                NOT_OWNED_WHATSAPP,
                f"The WhatsApp sender '{address}' is {sender.status}, not ONLINE: it cannot be configured yet.",
            )


def own_phone_number(phone_number: str, friendly_name: str = "") -> SimPhoneNumber:
    """The account buys (or ports in) a number; idempotent."""
    now = clock.now()
    row, _ = SimPhoneNumber.objects.get_or_create(
        phone_number=phone_number,
        defaults=dict(
            sid=new_sid("PN"), friendly_name=friendly_name or phone_number, date_created=now, date_updated=now
        ),
    )
    return row


def own_whatsapp_sender(sender_id: str, *, status: str = "ONLINE", profile_name: str = "") -> SimWhatsAppSender:
    """The account registers a WhatsApp sender on one of its numbers (the number is owned too); idempotent."""
    if sender_id == SANDBOX_WHATSAPP:
        raise ValueError("The WhatsApp Sandbox number is Twilio's shared number: no account owns it")
    own_phone_number(sender_id.removeprefix("whatsapp:"), profile_name)
    row, created = SimWhatsAppSender.objects.get_or_create(
        sender_id=sender_id,
        defaults=dict(sid=new_sid("XE"), status=status, profile_name=profile_name, date_created=clock.now()),
    )
    if not created and row.status != status:
        row.status = status
        row.save(update_fields=["status"])
    return row


def own(address: str, name: str = "") -> None:
    """Owns `whatsapp:+...` as a WhatsApp sender, `+...` as a phone number (tests, seed, control API)."""
    if address.startswith("whatsapp:"):
        own_whatsapp_sender(address, profile_name=name)
    else:
        own_phone_number(address, name)


@transaction.atomic
def release(address: str) -> bool:
    """The account releases a number or deregisters a sender. Twilio then deletes the address
    configuration ("Address configuration was deleted ... The Twilio phone number associated with
    the address configuration was either released or ported out", warning 50610:
    https://www.twilio.com/docs/api/errors/50610). Releasing a number also removes its WhatsApp sender."""
    if address.startswith("whatsapp:"):
        gone = SimWhatsAppSender.objects.filter(sender_id=address).delete()[0] > 0
        SimAddressConfiguration.objects.filter(address=address).delete()
        return gone
    gone = SimPhoneNumber.objects.filter(phone_number=address).delete()[0] > 0
    SimWhatsAppSender.objects.filter(sender_id=f"whatsapp:{address}").delete()
    SimAddressConfiguration.objects.filter(address__in=[address, f"whatsapp:{address}"]).delete()
    return gone
