"""A person's phone writes to a business address: where Twilio routes it.

In order, as Twilio decides:
1. the sender is a participant (address=From, proxy=To) of a non-closed
   conversation: the message joins it and is relayed to the other
   participants from the business number (masked communication);
2. the business address has an Address Configuration with auto-creation:
   a conversation is created with the sender in it, plus a scoped webhook
   (type webhook) or a Studio hand-over (type studio, logged only);
3. the number has a Programmable Messaging webhook (sandbox style): it gets
   the classic inbound form post;
4. nothing captures it: the phone shows it undelivered.
Each of 1-3 opens WhatsApp's customer service window of the sender with the
business address (delivery.window_opened): per person and business sender,
whatever conversation or webhook took the message; 4 reached no business and
opens nothing.
Callers run this inside a transaction: webhooks leave when it commits.
"""

import math

from django.conf import settings

from simulator import clock
from simulator.api.errors import TwilioError
from simulator.engine import delivery, events, messaging_rules, store, timers, webhooks_out
from simulator.engine import media as media_engine
from simulator.models import SimAddressConfiguration, SimHandsetEntry, SimMedia, SimNumber, SimScopedWebhook
from simulator.sids import new_sid

UNKNOWN_DESTINATION = 30005  # Twilio: "Unknown destination handset"
REASONS = {UNKNOWN_DESTINATION: "No conversation, auto-creating address or messaging webhook captures this address"}


def receive(
    *,
    from_: str,
    to: str,
    body: str = "",
    media_url: str = "",
    media_content_type: str = "",
    profile_name: str = "",
    media_data: bytes | None = None,
    media_filename: str = "",
    api_base: str = "",
) -> dict:
    """`media_data`: the bytes of a file the phone sends; with only `media_url`, placeholder
    bytes stand in (engine/media.py). `api_base` is this simulator's own base URL
    (http://host/simulator), where media is served."""
    store.check_address(from_, "From")
    store.check_address(to, "To")
    if store.channel_of(from_) != store.channel_of(to):
        raise TwilioError(400, 21910, "From and To must use the same channel (both whatsapp: or both SMS)")
    # STOP / START / HELP: the message is still routed below, and Twilio answers the keyword itself.
    reply = messaging_rules.note_inbound(from_, to, body)
    media = _media(media_url, media_content_type, media_data, media_filename)
    api_base = api_base or settings.TWILIO_API_BASE_URL
    for route in (_into_conversation, _auto_create, _messaging_webhook):
        result = route(from_, to, body, media, profile_name, api_base)
        if result:
            break
    else:
        _phone_entry(from_, to, body, media, status="undelivered", error_code=UNKNOWN_DESTINATION)
        result = {"outcome": "undelivered", "error_code": UNKNOWN_DESTINATION, "reason": REASONS[UNKNOWN_DESTINATION]}
    if reply:
        # Whatever took the message (or nothing did: the opt-out works "even if your number
        # currently has no messaging request URL", Twilio's STOP filtering article).
        _auto_reply(from_, to, reply)
        result = {**result, "auto_reply": reply}
    return result


def _auto_reply(person: str, business: str, text: str) -> None:
    """Twilio's own answer to a keyword, on the person's phone after their message."""
    SimHandsetEntry.objects.create(
        address=person,
        direction=SimHandsetEntry.RECEIVED,
        counterpart=business,
        body=text,
        status="delivered",
        channel_message_sid=new_sid("SM"),
        auto_reply=True,
        date=clock.now(),
    )


def _media(url: str, content_type: str, data: bytes | None, filename: str):
    """The phone's attachment, stored; its item keeps the URL the phone named for the handset."""
    if not url and data is None:
        return None
    row = media_engine.from_phone(url=url, content_type=content_type, data=data, filename=filename)
    return [{**media_engine.item(row), "url": url}]


def _link_media(media, *, message_sid: str, conversation=None) -> None:
    """Where the phone's media now belongs: a conversation message or a channel message."""
    if not media:
        return
    fields = {"message_sid": message_sid}
    if conversation is not None:
        fields.update(service_sid=conversation.chat_service_sid, channel_sid=conversation.sid)
    SimMedia.objects.filter(sid__in=[item["sid"] for item in media]).update(**fields)


def _twilio_media(media):
    return [{k: item[k] for k in ("sid", "content_type", "filename", "size")} for item in media] if media else None


def _source(address: str) -> str:
    return "WHATSAPP" if store.channel_of(address) == "whatsapp" else "SMS"


def _phone_entry(from_, to, body, media, *, status="delivered", error_code=None, message=None):
    SimHandsetEntry.objects.create(
        address=from_,
        direction=SimHandsetEntry.SENT,
        counterpart=to,
        body=body or "",
        media=media,
        status=status,
        error_code=error_code,
        conversation_sid=message.conversation.sid if message else "",
        message_sid=message.sid if message else "",
        date=clock.now(),
    )


def _add_message(conversation, participant, from_, to, body, media):
    message = store.create_message(
        conversation, author=from_, body=body or None, media=_twilio_media(media), participant=participant
    )
    _link_media(media, message_sid=message.sid, conversation=conversation)
    delivery.window_opened(from_, to, message.date_created)
    _phone_entry(from_, to, body, media, message=message)
    return message


def _into_conversation(from_, to, body, media, _profile, _api_base):
    participant = store.binding_conflict(from_, to)
    if participant is None:
        return None
    conversation = participant.conversation
    timers.refresh(conversation)  # the closed timer may have run out meanwhile
    if conversation.state == "closed":
        return None
    timers.reactivate(conversation)
    message = _add_message(conversation, participant, from_, to, body, media)
    events.message_event("onMessageAdded", message, source=_source(from_))
    delivery.deliver(message)
    return {
        "outcome": "relayed",
        "conversation_sid": conversation.sid,
        "participant_sid": participant.sid,
        "message_sid": message.sid,
    }


def _auto_create(from_, to, body, media, _profile, _api_base):
    config = SimAddressConfiguration.objects.filter(address=to).first()
    auto = (config.auto_creation or {}) if config else {}
    if not auto.get("enabled"):
        return None
    # Into the configured service (AutoCreation.ConversationServiceSid), with the account's default timers.
    conversation = store.create_conversation(chat_service_sid=auto.get("conversation_service_sid"))
    _hand_over(conversation, auto)
    participant = store.add_participant(conversation, address=from_, proxy_address=to)
    message = _add_message(conversation, participant, from_, to, body, media)
    source = _source(from_)
    binding = {
        "MessagingBinding.Address": from_,
        "MessagingBinding.ProxyAddress": to,
        "MessagingBinding.AuthorAddress": from_,
    }
    events.conversation_event("onConversationAdded", conversation, source=source, extra=binding)
    events.participant_event("onParticipantAdded", participant, source=source)
    events.message_event("onMessageAdded", message, source=source)
    return {
        "outcome": "auto_created",
        "auto_creation_type": auto.get("type") or "default",
        "conversation_sid": conversation.sid,
        "participant_sid": participant.sid,
        "message_sid": message.sid,
    }


def _hand_over(conversation, auto) -> None:
    """Twilio adds a scoped webhook for type webhook, a Studio one for type studio."""
    now = clock.now()
    common = {"conversation": conversation, "date_created": now, "date_updated": now, "sid": new_sid("WH")}
    if auto.get("type") == "webhook" and auto.get("webhook_url"):
        SimScopedWebhook.objects.create(
            target="webhook",
            url=auto["webhook_url"],
            method=(auto.get("webhook_method") or "POST").upper(),
            filters=auto.get("webhook_filters") or [],
            **common,
        )
    elif auto.get("type") == "studio":
        SimScopedWebhook.objects.create(target="studio", flow_sid=auto.get("studio_flow_sid"), replay_after=0, **common)


def _messaging_webhook(from_, to, body, media, profile_name, api_base):
    number = SimNumber.objects.filter(address=to).exclude(sms_url="").first()
    if number is None:
        return None
    sid = new_sid("MM" if media else "SM")
    _link_media(media, message_sid=sid)
    # MediaUrlN is where Twilio serves the file (Basic auth), not the URL the phone named.
    if media:
        media = [{**item, "url": media_engine.message_media_url(api_base, sid, item["sid"])} for item in media]
    params = [
        ("MessageSid", sid),
        ("SmsSid", sid),
        ("SmsMessageSid", sid),
        ("AccountSid", settings.TWILIO_ACCOUNT_SID),
        ("MessagingServiceSid", store.DEFAULT_MESSAGING_SERVICE_SID),
        ("From", from_),
        ("To", to),
        ("Body", body or ""),
        ("NumMedia", len(media or [])),
        ("NumSegments", max(1, math.ceil(len(body or "") / 160))),
    ]
    for n, item in enumerate(media or []):
        params += [(f"MediaContentType{n}", item["content_type"]), (f"MediaUrl{n}", item["url"])]
    if store.channel_of(from_) == "whatsapp":
        params += [("ProfileName", profile_name or ""), ("WaId", from_.removeprefix("whatsapp:+"))]
    params += [("SmsStatus", "received"), ("ApiVersion", "2010-04-01")]
    webhooks_out.send(
        kind="messaging",
        event_type="messaging.inbound",
        url=number.sms_url,
        method=number.sms_method or "POST",
        params=params,
    )
    now = clock.now()
    delivery.window_opened(from_, to, now)
    SimHandsetEntry.objects.create(
        address=from_,
        direction=SimHandsetEntry.SENT,
        counterpart=to,
        body=body or "",
        media=media,
        status="delivered",
        channel_message_sid=sid,
        date=now,
    )
    return {"outcome": "messaging_webhook", "messaging_webhook": number.sms_url, "message_sid": sid}
