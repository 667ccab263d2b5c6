"""Opt-out fidelity (docs/fidelity.md, "Opt-out and consent"), through the real twilio SDK (the
console's gateway) and the control API over HTTP against the live simulator: Twilio's own
replies to SMS keywords, and a WhatsApp user blocking the business or stopping its marketing
messages (engine/messaging_rules.py, engine/whatsapp_preferences.py).

Each test names the rule's source; the console's side is tests/test_twilio_error_codes.py and
tests/services/test_whatsapp_opt_out_receipts.py.
"""

import pytest

from conversations_ops.twilio import gateway
from simulator.engine.messaging_rules import HELP_REPLY, OPT_IN_REPLY, OPT_OUT_REPLY
from tests.simulator.engine_helpers import BUSINESS_SMS, BUSINESS_WA, CUSTOMER_SMS, CUSTOMER_WA, control

pytestmark = pytest.mark.slow

OTHER_WA = "whatsapp:+14155550109"  # a second WhatsApp sender of the same business
BLOCKED = 63014  # https://www.twilio.com/docs/errors/63014


def _inbound(sim, sender: str, to: str, body: str) -> dict:
    status, answer = control(sim, "inbound", json={"From": sender, "To": to, "Body": body})
    assert status == 200, answer
    return answer


def _phone_log(sim, address: str) -> list[tuple]:
    """(direction, from, body, auto_reply, conversation_sid) of every message on that phone, in order."""
    messages = control(sim, f"handsets/{address}", "GET")[1]["messages"]
    return [(m["direction"], m["from"], m["body"], m["auto_reply"], m["conversation_sid"]) for m in messages]


def _participant(conversation_sid: str, address: str, proxy: str) -> str:
    return gateway.participant_create(
        conversation_sid=conversation_sid, messaging_binding_address=address, messaging_binding_proxy_address=proxy
    ).sid


def _receipt(conversation_sid: str, message_sid: str) -> tuple:
    (receipt,) = gateway.receipt_list(conversation_sid=conversation_sid, message_sid=message_sid)
    return receipt.status, receipt.error_code or None


def _send(conversation_sid: str, **message) -> tuple:
    sent = gateway.message_create(conversation_sid=conversation_sid, **message)  # 201 whatever follows
    return _receipt(conversation_sid, sent.sid)


def _approved_template(sim, name: str, category: str) -> str:
    sid = gateway.content_create(
        friendly_name=name, language="en", types={"twilio/text": {"body": f"{name}: your order is ready."}}
    ).sid
    gateway.content_approval_create(sid=sid, name=name, category=category)
    status, answer = control(sim, f"content/{sid}/approval", json={"status": "approved", "category": category})
    assert status == 200, answer
    return sid


def _prefer(sim, address: str, **switches) -> dict:
    status, answer = control(sim, f"handsets/{address}/preferences", json=switches)
    assert status == 200, answer
    return answer


# SMS: Twilio's replies to keywords ---------------------------------------------------------------


def test_twilio_answers_stop_start_and_help_from_the_business_number_outside_the_conversation(simulator):
    """Twilio's "support for opt-out keywords (SMS STOP filtering)" (https://help.twilio.com/hc/en-us/articles/223134027):
    keywords "trigger automatic standard replies from Twilio"; HELP/INFO get the help text
    (https://www.twilio.com/docs/errors/23004), but not while opted out
    (https://help.twilio.com/hc/en-us/articles/360058144374). The keyword itself still reaches the
    conversation; Twilio's reply does not (it is Messaging's, not a conversation message)."""
    conversation = gateway.conversation_create().sid
    _participant(conversation, CUSTOMER_SMS, BUSINESS_SMS)

    assert _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, "info")["auto_reply"] == HELP_REPLY
    stopped = _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, "Stop")
    assert (stopped["outcome"], stopped["auto_reply"]) == ("relayed", OPT_OUT_REPLY)
    assert "auto_reply" not in _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, "HELP")  # opted out: silence
    assert "auto_reply" not in _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, "help me")  # not a keyword
    assert _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, "start")["auto_reply"] == OPT_IN_REPLY

    assert _phone_log(simulator, CUSTOMER_SMS) == [
        ("sent", CUSTOMER_SMS, "info", False, conversation),
        ("received", BUSINESS_SMS, HELP_REPLY, True, None),
        ("sent", CUSTOMER_SMS, "Stop", False, conversation),
        ("received", BUSINESS_SMS, OPT_OUT_REPLY, True, None),
        ("sent", CUSTOMER_SMS, "HELP", False, conversation),
        ("sent", CUSTOMER_SMS, "help me", False, conversation),
        ("sent", CUSTOMER_SMS, "start", False, conversation),
        ("received", BUSINESS_SMS, OPT_IN_REPLY, True, None),
    ]
    bodies = [m.body for m in gateway.message_list(conversation_sid=conversation)]
    assert bodies == ["info", "Stop", "HELP", "help me", "start"]


def test_a_keyword_nothing_captures_still_opts_out_and_is_answered(simulator):
    """The STOP filtering article: "the block works and is logged even if your number currently
    has no messaging request URL"; the opt-out is per business number (21610's page)."""
    answer = _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, "UNSUBSCRIBE")
    assert (answer["outcome"], answer["error_code"], answer["auto_reply"]) == ("undelivered", 30005, OPT_OUT_REPLY)
    preferences = control(simulator, f"handsets/{CUSTOMER_SMS}/preferences", "GET")[1]
    assert [(o["business"], o["keyword"]) for o in preferences["sms_opt_outs"]] == [(BUSINESS_SMS, "UNSUBSCRIBE")]
    assert preferences["whatsapp"] == []

    conversation = gateway.conversation_create().sid
    _participant(conversation, CUSTOMER_SMS, BUSINESS_SMS)
    assert _send(conversation, body="Your parcel") == ("failed", 21610)


def test_whatsapp_keywords_get_no_twilio_reply(simulator):
    """Twilio's keyword handling is SMS's (the STOP filtering article): on WhatsApp "STOP" is text."""
    assert "auto_reply" not in _inbound(simulator, CUSTOMER_WA, BUSINESS_WA, "STOP")
    assert [row[:2] for row in _phone_log(simulator, CUSTOMER_WA)] == [("sent", CUSTOMER_WA)]


# WhatsApp: the user blocks the business, or stops its marketing ---------------------------------


def test_a_whatsapp_user_who_blocked_the_sender_gets_nothing_from_it_failed_63014(simulator):
    """https://www.twilio.com/docs/errors/63014 ("Channel message blocked by user action": "The
    recipient blocked the sender in the channel they are using, such as WhatsApp"): every message
    from that sender fails on its receipt after a 201, in the window or not, template or free-form;
    another sender still reaches the person, and unblocking ends it."""
    utility = _approved_template(simulator, "order_ready", "UTILITY")
    blocked = gateway.conversation_create().sid
    _participant(blocked, CUSTOMER_WA, BUSINESS_WA)
    _inbound(simulator, CUSTOMER_WA, BUSINESS_WA, "Hi")  # the 24-hour window is open
    other = gateway.conversation_create().sid
    _participant(other, CUSTOMER_WA, OTHER_WA)

    answer = _prefer(simulator, CUSTOMER_WA, business=BUSINESS_WA, blocked=True)
    assert [(w["business"], w["blocked"], w["marketing_stopped"]) for w in answer["whatsapp"]] == [
        (BUSINESS_WA, True, False)
    ]
    assert _send(blocked, body="Your order is ready") == ("failed", BLOCKED)
    assert _send(blocked, content_sid=utility) == ("failed", BLOCKED)
    assert _send(other, content_sid=utility) == ("delivered", None)

    _prefer(simulator, CUSTOMER_WA, business=BUSINESS_WA, blocked=False)
    assert _send(blocked, body="Still there?") == ("delivered", None)
    phone = control(simulator, f"handsets/{CUSTOMER_WA}", "GET")[1]["messages"]
    received = [(m["from"], m["body"]) for m in phone if m["direction"] == "received"]
    assert received == [(OTHER_WA, "order_ready: your order is ready."), (BUSINESS_WA, "Still there?")]


def test_stopped_marketing_fails_only_marketing_templates_from_that_sender(simulator):
    """Meta's marketing templates page, "Stop/resume controls"
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates):
    a marketing template to a user who stopped them is accepted, then failed (Meta's 131050;
    reported as 63014, https://www.twilio.com/docs/errors/63014: "opted out or otherwise removed
    consent"); utility templates and free-form messages still arrive; resuming ends it."""
    marketing = _approved_template(simulator, "spring_sale", "MARKETING")
    utility = _approved_template(simulator, "order_ready", "UTILITY")
    conversation = gateway.conversation_create().sid
    _participant(conversation, CUSTOMER_WA, BUSINESS_WA)
    other = gateway.conversation_create().sid
    _participant(other, CUSTOMER_WA, OTHER_WA)
    _prefer(simulator, CUSTOMER_WA, business=BUSINESS_WA, marketing_stopped=True)

    assert _send(conversation, content_sid=marketing) == ("failed", BLOCKED)
    assert _send(conversation, content_sid=utility) == ("delivered", None)
    assert _send(other, content_sid=marketing) == ("delivered", None)  # per sender
    _inbound(simulator, CUSTOMER_WA, BUSINESS_WA, "Is it on sale?")
    assert _send(conversation, body="Yes, until Sunday") == ("delivered", None)

    _prefer(simulator, CUSTOMER_WA, business=BUSINESS_WA, marketing_stopped="false")
    assert _send(conversation, content_sid=marketing) == ("delivered", None)


def test_the_preferences_control_takes_only_what_a_whatsapp_user_can_do_and_reset_forgets_it(simulator):
    path = f"handsets/{CUSTOMER_WA}/preferences"
    for wrong in (
        {"blocked": True},  # which business?
        {"business": BUSINESS_WA},  # doing what?
        {"business": BUSINESS_WA, "blocked": "maybe"},
        {"business": BUSINESS_WA, "muted": True},
        {"business": BUSINESS_SMS, "blocked": True},  # an SMS sender: the person texts STOP instead
    ):
        status, answer = control(simulator, path, json=wrong)
        assert status == 400 and answer["error"], wrong
    status, answer = control(simulator, f"handsets/{CUSTOMER_SMS}/preferences", json={"business": BUSINESS_SMS})
    assert status == 400 and "STOP" in answer["error"]

    _prefer(simulator, CUSTOMER_WA, business=BUSINESS_WA, blocked=True)
    _prefer(simulator, CUSTOMER_WA, business=OTHER_WA, marketing_stopped=True)
    status, answer = control(simulator, path, "DELETE", params={"business": OTHER_WA})
    assert [w["business"] for w in answer["whatsapp"]] == [BUSINESS_WA]
    assert control(simulator, "reset")[0] == 200
    assert control(simulator, path, "GET")[1]["whatsapp"] == []
