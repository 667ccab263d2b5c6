"""Programmable Messaging's own rules on a Conversations message going out to a phone.

Conversations hands each SMS/WhatsApp delivery to Twilio's Messaging layer, which
applies its rules per recipient; a refusal there is that participant's receipt failing
with the Messaging code (the REST create already answered 201, as for 63016):

- **Body length** (https://www.twilio.com/docs/conversations/conversations-limits):
  outbound bodies are limited by channel, "WhatsApp and SMS: 1600 Characters", chat
  32 KB. A longer body reaches chat participants and fails for each SMS/WhatsApp one
  with 21617 (https://www.twilio.com/docs/errors/21617, "The concatenated message body
  exceeds the 1600 character limit").
- **SMS opt-out** (https://www.twilio.com/docs/errors/21610, and Twilio's "Twilio support
  for opt-out keywords (SMS STOP filtering)",
  https://help.twilio.com/hc/en-us/articles/223134027): a person who texts an opt-out
  keyword to a Twilio number gets nothing more from that number (21610) until they text
  an opt-in keyword to it. Only a single-word message counts, in any case ("STOP" does,
  "STOP PLEASE" does not), and the message still reaches the application. The words are
  Twilio's defaults for long codes (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out).
- **Twilio's keyword replies** (the same help article: "These keywords trigger automatic standard
  replies from Twilio", free of charge; https://www.twilio.com/docs/proxy/opt-out-keywords: "Twilio
  will reply with a pre-generated response"): an opt-out keyword is answered with the opt-out
  confirmation, an opt-in keyword with the opt-in one, HELP or INFO with the help text
  (https://www.twilio.com/docs/errors/23004 names HELP and INFO as the help words). The reply
  comes from the business number and lands on the person's phone only: it is Messaging's, not a
  conversation message. A person opted out gets no HELP reply ("if they are opted out prior to
  sending a help keyword, they will not receive any auto-reply unless they opt back in first",
  https://help.twilio.com/hc/en-us/articles/360058144374). The texts are Twilio's defaults as
  quoted by users of it (docs/fidelity.md, "Not modelled": check them once against a live number).

Kept apart from engine/delivery.py on purpose: `delivery.refusal` asks `refusal` here
first, in one line, whatever else changes in how delivery runs.
"""

from simulator import clock
from simulator.models import SimOptOut

SMS_WHATSAPP_BODY_LIMIT = 1600  # characters
BODY_TOO_LONG = 21617
OPTED_OUT = 21610
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN_KEYWORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})
OPT_OUT_REPLY = (
    "You have successfully been unsubscribed. You will not receive any more messages from this number. "
    "Reply START to resubscribe."
)
OPT_IN_REPLY = (
    "You have successfully been re-subscribed to messages from this number. Reply HELP for help. "
    "Reply STOP to unsubscribe. Msg&Data Rates May Apply."
)
HELP_REPLY = "Reply STOP to unsubscribe. Msg&Data Rates May Apply."


def refusal(participant, message) -> int | None:
    """Why the Messaging layer would not send this message to this participant's phone."""
    if participant.channel not in ("sms", "whatsapp"):
        return None
    # A template's text is Content's to limit (63021), not the body's.
    if not message.content_sid and len(message.body or "") > SMS_WHATSAPP_BODY_LIMIT:
        return BODY_TOO_LONG
    if participant.channel == "sms" and opted_out(participant.address, participant.proxy_address):
        return OPTED_OUT
    return None


def opted_out(address: str, proxy_address: str) -> bool:
    return SimOptOut.objects.filter(address=address, proxy_address=proxy_address).exists()


def note_inbound(from_: str, to: str, body: str) -> str | None:
    """An SMS from a person to a business number: an opt-out or opt-in keyword changes what
    that number may send them. Answers Twilio's auto-reply to the keyword (None: no reply), which
    the caller puts on the phone once the message itself is routed. WhatsApp has no keyword
    opt-out in Twilio's handling: its users block or stop marketing in the app
    (engine/whatsapp_preferences.py)."""
    if from_.startswith("whatsapp:"):
        return None
    word = (body or "").strip().upper()
    if word in OPT_OUT_KEYWORDS:
        SimOptOut.objects.update_or_create(
            address=from_, proxy_address=to, defaults={"keyword": word, "date_created": clock.now()}
        )
        return OPT_OUT_REPLY
    if word in OPT_IN_KEYWORDS:
        SimOptOut.objects.filter(address=from_, proxy_address=to).delete()
        return OPT_IN_REPLY
    if word in HELP_KEYWORDS and not opted_out(from_, to):
        return HELP_REPLY
    return None
