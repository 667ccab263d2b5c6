"""Getting a conversation message to the phones of the other participants.

For each SMS/WhatsApp participant other than the author: a receipt (sent,
then delivered or failed), what arrives lands on that person's handset, and
each status change fires onDeliveryUpdated (Twilio sends it for channel
deliveries whatever X-Twilio-Webhook-Enabled said). Chat identities get no
receipts.

WhatsApp rules, as Meta applies them through Twilio:
- free-form (no ContentSid) reaches a person only within 24 h of that
  person's last message to the business; otherwise failed 63016, although
  the REST create answered 201;
- a ContentSid template is delivered only when the template exists and its
  WhatsApp approval status is "approved"; otherwise failed with 63016
  outside the window, or 63040 ("matches a template that was rejected by
  WhatsApp or failed to be submitted") inside it. Real WhatsApp would let an
  unapproved template through inside the window; the simulator is stricter on
  purpose, so an unapproved template is caught before production.
SMS has no window and no approval. Before all that, Messaging's own rules
(engine/messaging_rules.py: a body over 1,600 characters, an SMS opt-out) apply to both.
"""

import json
import re
from datetime import timedelta

from simulator import clock
from simulator.engine import events, messaging_rules
from simulator.models import SimContent, SimHandsetEntry, SimReceipt
from simulator.sids import new_sid

WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW = 63016
TEMPLATE_NOT_APPROVED = 63040


def deliver(message) -> None:
    """Run delivery for a newly created message (REST-made or relayed inbound)."""
    conversation = message.conversation
    for participant in conversation.participants.exclude(channel="chat").order_by("id"):
        if _is_author(participant, message):
            continue
        _deliver_to(participant, message)


def _is_author(participant, message) -> bool:
    if message.participant_sid:
        return participant.sid == message.participant_sid
    return message.author in (participant.address, participant.identity)


def _deliver_to(participant, message) -> None:
    now = clock.now()
    prefix = "MM" if message.media else "SM"
    receipt = SimReceipt.objects.create(
        sid=new_sid("DY"),
        message=message,
        participant=participant,
        channel_message_sid=new_sid(prefix),
        status="sent",
        date_created=now,
        date_updated=now,
    )
    events.delivery_event(receipt)
    content = SimContent.objects.filter(sid=message.content_sid).first() if message.content_sid else None
    error = refusal(participant, message, content, now)
    receipt.status, receipt.error_code = ("failed", error) if error else ("delivered", None)
    receipt.date_updated = clock.now()
    receipt.save(update_fields=["status", "error_code", "date_updated"])
    if not error:
        _land_on_handset(participant, message, content, receipt, now)
    events.delivery_event(receipt)


def in_window(participant, now) -> bool:
    return participant.last_inbound_at is not None and now - participant.last_inbound_at <= WINDOW


def refusal(participant, message, content, now) -> int | None:
    """Why WhatsApp would not deliver this message to this person, as an error code."""
    if code := messaging_rules.refusal(participant, message):  # body length, SMS opt-out
        return code
    if participant.channel != "whatsapp":
        return None
    open_window = in_window(participant, now)
    if not message.content_sid:
        return None if open_window else OUTSIDE_WINDOW
    approved = content is not None and (content.approval or {}).get("status") == "approved"
    if approved:
        return None
    return TEMPLATE_NOT_APPROVED if open_window else OUTSIDE_WINDOW


def render(content, variables_json) -> str:
    """The template's text with {{1}}.. replaced by ContentVariables (or its defaults)."""
    types = content.types or {}
    # twilio/text first; otherwise the first rich type that carries a body.
    candidates = [types.get("twilio/text"), *types.values()]
    body = next((t["body"] for t in candidates if isinstance(t, dict) and t.get("body")), "")
    try:
        given = json.loads(variables_json) if variables_json else {}
    except ValueError:
        given = {}
    values = {**(content.variables or {}), **(given if isinstance(given, dict) else {})}
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(values.get(m.group(1), m.group(0))), body or "")


def _land_on_handset(participant, message, content, receipt, now) -> None:
    SimHandsetEntry.objects.create(
        address=participant.address,
        direction=SimHandsetEntry.RECEIVED,
        counterpart=participant.proxy_address,
        body=render(content, message.content_variables) if content else (message.body or ""),
        content_sid=message.content_sid or "",
        media=_media_with_urls(message),
        status="delivered",
        conversation_sid=message.conversation.sid,
        message_sid=message.sid,
        channel_message_sid=receipt.channel_message_sid,
        date=now,
    )


def _media_with_urls(message):
    """Twilio's media items carry no URL; the sender's phone kept it, so the recipient can see it."""
    if not message.media:
        return message.media
    sent = (
        SimHandsetEntry.objects.filter(message_sid=message.sid, direction=SimHandsetEntry.SENT)
        .values_list("media", flat=True)
        .first()
    )
    urls = {item.get("sid"): item.get("url") for item in sent or [] if item.get("url")}
    return [{**item, **({"url": urls[item["sid"]]} if item.get("sid") in urls else {})} for item in message.media]
