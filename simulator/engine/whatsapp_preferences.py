"""What a WhatsApp user decided, in the app, about a business sender: Meta's rules on it.

WhatsApp has no opt-out keyword in Twilio's handling (engine/messaging_rules.py is SMS's); its
users act in the app instead, and the control API plays them (SimWhatsAppPreference,
`_control/handsets/<address>/preferences`):

- **Blocked the business**: nothing from that sender reaches them. Twilio reports it as 63014,
  "Channel message blocked by user action" (https://www.twilio.com/docs/errors/63014: "The
  recipient blocked the sender in the channel they are using, such as WhatsApp"), on the
  receipt: the REST create already answered 201, as for every WhatsApp refusal here.
- **Stopped marketing messages** ("Offers and announcements", Meta's marketing templates page,
  https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates):
  a MARKETING template "will process the request but not send the message", status failed with
  Meta's 131050; utility and authentication templates and free-form messages still arrive.
  Twilio documents no code of its own for 131050; the simulator reports the code whose page
  names that cause, 63014 ("The recipient opted out or otherwise removed consent for future
  messages, which blocks later outgoing messages from that sender"). docs/fidelity.md lists it
  as the thing to check against a live sender.

Both are per person and business sender: another sender of the same business still reaches them.
"""

from simulator.models import SimWhatsAppPreference

BLOCKED_BY_USER = 63014


def _preference(participant) -> SimWhatsAppPreference | None:
    if participant.channel != "whatsapp" or not participant.address or not participant.proxy_address:
        return None
    return SimWhatsAppPreference.objects.filter(
        address=participant.address, proxy_address=participant.proxy_address
    ).first()


def blocked(participant) -> int | None:
    """Before any other WhatsApp rule: a blocked business reaches the person with nothing."""
    preference = _preference(participant)
    return BLOCKED_BY_USER if preference is not None and preference.blocked else None


def marketing_refused(participant, content) -> int | None:
    """After the window and approval rules: an approved template Meta would send, unless it is
    marketing and the person stopped this sender's marketing messages."""
    if content is None or str((content.approval or {}).get("category") or "").upper() != "MARKETING":
        return None
    preference = _preference(participant)
    return BLOCKED_BY_USER if preference is not None and preference.marketing_stopped else None
