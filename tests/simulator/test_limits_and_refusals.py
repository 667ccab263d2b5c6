"""Twilio's limits and refusals (docs/fidelity.md, "Limits and refusals"), through the real
twilio SDK (the console's gateway) over HTTP against the live simulator.

Each test names the rule's source; the console's side is in tests/services/test_limits_and_refusals.py.
"""

import pytest

from conversations_ops.twilio import gateway
from conversations_ops.twilio.gateway import GatewayError
from simulator import clock
from simulator.models import SimConversation, SimParticipant
from simulator.sids import new_sid
from tests.simulator.engine_helpers import BUSINESS_SMS, BUSINESS_WA, CUSTOMER_SMS, CUSTOMER_WA, control

pytestmark = pytest.mark.slow

SID_SHAPED = "CH" + "0123456789abcdef" * 2


def _refused(call, **kwargs) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        call(**kwargs)
    return caught.value


def _receipts(conversation_sid: str, message_sid: str) -> dict[str, tuple]:
    """participant sid -> (status, error code) of one message's receipts (no error: None, Twilio says 0)."""
    return {
        r.participant_sid: (r.status, r.error_code or None)
        for r in gateway.receipt_list(conversation_sid=conversation_sid, message_sid=message_sid)
    }


def _inbound(sim, sender: str, to: str, body: str) -> dict:
    status, answer = control(sim, "inbound", json={"From": sender, "To": to, "Body": body})
    assert status == 200, answer
    return answer


def _received(sim, address: str) -> list[str]:
    """What the conversations delivered to that phone (Twilio's keyword replies left out:
    tests/simulator/test_opt_out_fidelity.py holds those)."""
    messages = control(sim, f"handsets/{address}", "GET")[1]["messages"]
    return [m["body"] for m in messages if m["direction"] == "received" and not m["auto_reply"]]


def _phone(conversation_sid: str, address: str, proxy: str) -> str:
    return gateway.participant_create(
        conversation_sid=conversation_sid, messaging_binding_address=address, messaging_binding_proxy_address=proxy
    ).sid


# Conversations: what a create may carry --------------------------------------------------------


def test_a_conversation_cannot_be_created_closed(simulator):
    """https://www.twilio.com/docs/errors/50384: "Initial state can't be 'closed'"."""
    error = _refused(gateway.conversation_create, unique_name="born-closed", state="closed")
    assert (error.status, error.code) == (400, 50384)
    assert not SimConversation.objects.filter(unique_name="born-closed").exists()
    # Created active, it may be closed afterwards.
    made = gateway.conversation_create(unique_name="born-closed", state="active")
    assert gateway.conversation_update(sid=made.sid, state="closed").state == "closed"


def test_timers_on_create_need_the_state_they_start_from(simulator):
    """https://www.twilio.com/docs/errors/50382: "Timer can't be set without state" (on creation)."""
    for timers in ({"timers_inactive": "PT5M"}, {"timers_closed": "PT10M"}):
        error = _refused(gateway.conversation_create, **timers)
        assert (error.status, error.code) == (400, 50382)
    made = gateway.conversation_create(state="inactive", timers_closed="PT10M")
    assert made.date_closed is not None
    # An update's timers run from the state the conversation is in: no State needed.
    assert gateway.conversation_update(sid=made.sid, timers_closed="PT20M").date_closed is not None


def test_a_unique_name_shaped_like_a_conversation_sid_is_refused(simulator):
    """https://www.twilio.com/docs/errors/50390: a unique name matching "CH[0-9a-f]{32}"."""
    error = _refused(gateway.conversation_create, unique_name=SID_SHAPED)
    assert (error.status, error.code) == (400, 50390)
    made = gateway.conversation_create(unique_name="order-" + SID_SHAPED)  # only a whole SID's shape
    error = _refused(gateway.conversation_update, sid=made.sid, unique_name=SID_SHAPED)
    assert (error.status, error.code) == (400, 50390)
    assert gateway.conversation_fetch(sid=made.sid).unique_name == "order-" + SID_SHAPED


# Participants per conversation (https://www.twilio.com/docs/conversations/conversations-limits) ---


def _seed(conversation_sid: str, count: int, *, chat: bool) -> None:
    """Participants put straight into the simulator's state: the limits, not 1,000 HTTP calls, are tested."""
    conversation, now = SimConversation.objects.get(sid=conversation_sid), clock.now()
    SimParticipant.objects.bulk_create(
        SimParticipant(
            sid=new_sid("MB"),
            conversation=conversation,
            identity=f"agent-{n}" if chat else None,
            address=None if chat else f"+1500555{n:04d}",
            proxy_address=None if chat else BUSINESS_SMS,
            channel="chat" if chat else "sms",
            date_created=now,
            date_updated=now,
        )
        for n in range(count)
    )


def test_a_conversation_holds_at_most_50_sms_or_whatsapp_participants(simulator):
    """Up to 50 non-chat participants (https://www.twilio.com/docs/errors/50418)."""
    sid = gateway.conversation_create().sid
    _seed(sid, 49, chat=False)
    _phone(sid, CUSTOMER_SMS, BUSINESS_SMS)  # the 50th
    error = _refused(
        gateway.participant_create,
        conversation_sid=sid,
        messaging_binding_address=CUSTOMER_WA,
        messaging_binding_proxy_address=BUSINESS_WA,
    )
    assert (error.status, error.code) == (400, 50418)
    assert gateway.participant_create(conversation_sid=sid, identity="ops-ana").identity == "ops-ana"  # chat: room


def test_a_conversation_holds_at_most_1000_participants(simulator):
    """Up to 1,000 participants in all (https://www.twilio.com/docs/errors/50417)."""
    sid = gateway.conversation_create().sid
    _seed(sid, 999, chat=True)
    gateway.participant_create(conversation_sid=sid, identity="ops-last")  # the 1,000th
    error = _refused(gateway.participant_create, conversation_sid=sid, identity="ops-one-too-many")
    assert (error.status, error.code) == (400, 50417)
    # Removing one makes room again.
    gateway.participant_delete(conversation_sid=sid, sid=SimParticipant.objects.filter(identity="agent-0").get().sid)
    assert gateway.participant_create(conversation_sid=sid, identity="ops-one-too-many").identity


# Body length by channel ----------------------------------------------------------------------------


def test_the_body_limit_is_the_channels_chat_32_kb_sms_and_whatsapp_1600_characters(simulator):
    """Conversations limits page: outbound Body "WhatsApp and SMS: 1600 Characters", "Chat: 32KB";
    a phone's copy of a longer body fails with 21617 (https://www.twilio.com/docs/errors/21617)."""
    chat_only = gateway.conversation_create().sid
    gateway.participant_create(conversation_sid=chat_only, identity="ops-ana")
    long_text = "x" * 20_000
    assert gateway.message_create(conversation_sid=chat_only, body=long_text).body == long_text
    error = _refused(gateway.message_create, conversation_sid=chat_only, body="x" * (32 * 1024 + 1))
    assert (error.status, error.code) == (400, 50504)

    mixed = gateway.conversation_create().sid
    gateway.participant_create(conversation_sid=mixed, identity="ops-ana")
    sms = _phone(mixed, CUSTOMER_SMS, BUSINESS_SMS)
    whatsapp = _phone(mixed, CUSTOMER_WA, BUSINESS_WA)
    _inbound(simulator, CUSTOMER_WA, BUSINESS_WA, "Hi")  # WhatsApp's window is open: only length counts
    too_long = gateway.message_create(conversation_sid=mixed, body="y" * 1601)  # accepted: 201
    assert _receipts(mixed, too_long.sid) == {sms: ("failed", 21617), whatsapp: ("failed", 21617)}
    fits = gateway.message_create(conversation_sid=mixed, body="z" * 1600)
    assert _receipts(mixed, fits.sid) == {sms: ("delivered", None), whatsapp: ("delivered", None)}
    # The WhatsApp customer's "Hi" was relayed to the SMS phone too; the long text never arrived.
    assert _received(simulator, CUSTOMER_SMS) == ["Hi", "z" * 1600]


# SMS opt-out -------------------------------------------------------------------------------------


def test_stop_by_sms_blocks_that_business_number_until_start(simulator):
    """https://www.twilio.com/docs/errors/21610 and Twilio's "support for opt-out keywords (SMS STOP
    filtering)": a single-word opt-out keyword, any case, blocks the number that received it;
    START/YES/UNSTOP lifts it. The STOP message itself still reaches the conversation."""
    conversation = gateway.conversation_create().sid
    courier = _phone(conversation, CUSTOMER_SMS, BUSINESS_SMS)
    assert _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, "stop please")["outcome"] == "relayed"  # not a keyword
    assert _receipts(conversation, gateway.message_create(conversation_sid=conversation, body="One").sid) == {
        courier: ("delivered", None)
    }
    assert _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, " Stop ")["outcome"] == "relayed"
    blocked = gateway.message_create(conversation_sid=conversation, body="Two")  # accepted: 201
    assert _receipts(conversation, blocked.sid) == {courier: ("failed", 21610)}

    other = gateway.conversation_create().sid  # the same person behind another business number
    elsewhere = _phone(other, CUSTOMER_SMS, "+14155550102")
    sent = gateway.message_create(conversation_sid=other, body="Three")
    assert _receipts(other, sent.sid) == {elsewhere: ("delivered", None)}

    _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, "UNSTOP")
    again = gateway.message_create(conversation_sid=conversation, body="Four")
    assert _receipts(conversation, again.sid) == {courier: ("delivered", None)}
    assert _received(simulator, CUSTOMER_SMS) == ["One", "Three", "Four"]


def test_stop_on_whatsapp_is_no_sms_opt_out(simulator):
    """Twilio's keyword opt-out is SMS's (the STOP filtering article); WhatsApp users block in the app."""
    conversation = gateway.conversation_create().sid
    customer = _phone(conversation, CUSTOMER_WA, BUSINESS_WA)
    _inbound(simulator, CUSTOMER_WA, BUSINESS_WA, "STOP")
    sent = gateway.message_create(conversation_sid=conversation, body="Noted")
    assert _receipts(conversation, sent.sid) == {customer: ("delivered", None)}


def test_reset_forgets_opt_outs(simulator):
    _inbound(simulator, CUSTOMER_SMS, BUSINESS_SMS, "STOP")
    assert control(simulator, "reset")[0] == 200
    conversation = gateway.conversation_create().sid
    courier = _phone(conversation, CUSTOMER_SMS, BUSINESS_SMS)
    sent = gateway.message_create(conversation_sid=conversation, body="Hello again")
    assert _receipts(conversation, sent.sid) == {courier: ("delivered", None)}
