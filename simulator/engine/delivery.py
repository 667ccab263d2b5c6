"""Getting a conversation message to the phones of the other participants.

For each SMS/WhatsApp participant other than the author: a receipt, `sent`
when the message is created, then `delivered` (or `failed`/`undelivered`) and,
on WhatsApp, `read`, each after its delay on the simulator clock
(receipt_schedule.py applies them; delivery_settings.py holds the delays and
what each phone does). What is delivered lands on that person's handset then,
and each status change fires onDeliveryUpdated (Twilio sends it for channel
deliveries whatever X-Twilio-Webhook-Enabled said). Chat identities get no
receipts.

WhatsApp rules, as Meta applies them through Twilio:
- free-form (no ContentSid) reaches a person only within 24 h of that
  person's last message to the business sender (the participant's proxy
  address), in any conversation or through the number's Messaging webhook
  (SimCustomerWindow, kept by engine/inbound.py); otherwise failed 63016,
  although the REST create answered 201;
- a ContentSid template is delivered only when the template exists and its
  WhatsApp approval status is "approved"; otherwise failed with 63016
  outside the window, or 63040 ("matches a template that was rejected by
  WhatsApp or failed to be submitted") inside it. Real WhatsApp would let an
  unapproved template through inside the window; the simulator is stricter on
  purpose, so an unapproved template is caught before production;
- what the person set in the app about this business sender
  (engine/whatsapp_preferences.py): blocked it, every message fails with
  63014, checked first; stopped its marketing messages, an approved
  MARKETING template fails with 63014, checked last.
SMS has no window and no approval. Before all that, Messaging's own rules
(engine/messaging_rules.py: a body over 1,600 characters, an SMS opt-out) apply to both.
"""

import json
import re
from datetime import timedelta

from simulator import clock
from simulator.engine import delivery_settings, events, messaging_rules, receipt_schedule, whatsapp_preferences
from simulator.models import SimContent, SimCustomerWindow, SimHandsetEntry, SimReceipt
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
    # WhatsApp's rules are judged when the message is sent; the outcome arrives later.
    error = refusal(participant, message, content, now)
    receipt_schedule.schedule(receipt, _steps(participant, error), now=now)


def _steps(participant, error) -> list:
    """What happens to this receipt after `sent`: [(status, error_code, seconds after sending)]."""
    switches = delivery_settings.current()
    after = float(switches["delivered_after_s"] or 0)
    if error:
        return [("failed", error, after)]
    phone = delivery_settings.handset(participant.address)
    if phone is not None and phone.outcome in ("failed", "undelivered"):
        return [(phone.outcome, phone.error_code, after)]
    steps = [("delivered", None, after)]
    read_after = switches["read_after_s"]
    # Only WhatsApp reports `read`; SMS stops at delivered.
    if participant.channel == "whatsapp" and read_after is not None and (phone is None or phone.reads):
        steps.append(("read", None, after + float(read_after)))
    return steps


def advance(receipt, status, error_code, when) -> None:
    """One later status of a receipt (receipt_schedule calls it once per step, in order)."""
    receipt.status, receipt.error_code = status, error_code
    receipt.date_updated = max(when, receipt.date_created)
    receipt.save(update_fields=["status", "error_code", "date_updated"])
    if status == "delivered":
        message = receipt.message
        content = SimContent.objects.filter(sid=message.content_sid).first() if message.content_sid else None
        _land_on_handset(receipt.participant, message, content, receipt, receipt.date_updated)
    elif status == "read":
        SimHandsetEntry.objects.filter(
            channel_message_sid=receipt.channel_message_sid, direction=SimHandsetEntry.RECEIVED
        ).update(status="read")
    events.delivery_event(receipt)


def window_open_until(address: str | None, proxy_address: str | None):
    """When WhatsApp's customer service window of this person with this business sender
    closes (None: they never wrote to it). Meta counts it per person and business phone
    number, across conversations: not per participant."""
    if not address or not proxy_address:
        return None
    last = (
        SimCustomerWindow.objects.filter(address=address, proxy_address=proxy_address)
        .values_list("last_inbound_at", flat=True)
        .first()
    )
    return last + WINDOW if last is not None else None


def in_window(participant, now) -> bool:
    until = window_open_until(participant.address, participant.proxy_address)
    return until is not None and now <= until


def window_opened(address: str, proxy_address: str, at) -> None:
    """A person wrote to a business sender at `at` (simulator clock): the window runs 24 h from
    their newest message. Kept as a maximum, so an older message never shortens it. SMS has
    no window: nothing is kept for it."""
    if not address.startswith("whatsapp:"):
        return
    row, created = SimCustomerWindow.objects.get_or_create(
        address=address, proxy_address=proxy_address, defaults={"last_inbound_at": at}
    )
    if not created and row.last_inbound_at < at:
        SimCustomerWindow.objects.filter(pk=row.pk, last_inbound_at__lt=at).update(last_inbound_at=at)


def refusal(participant, message, content, now) -> int | None:
    """Why WhatsApp would not deliver this message to this person, as an error code."""
    if code := messaging_rules.refusal(participant, message):  # body length, SMS opt-out
        return code
    if participant.channel != "whatsapp":
        return None
    if code := whatsapp_preferences.blocked(participant):
        return code
    open_window = in_window(participant, now)
    if not message.content_sid:
        return None if open_window else OUTSIDE_WINDOW
    approved = content is not None and (content.approval or {}).get("status") == "approved"
    if approved:
        return whatsapp_preferences.marketing_refused(participant, content)
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
