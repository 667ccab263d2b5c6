"""Pre-flight: nothing is sent until every check passes, and a refusal names its field."""

from datetime import UTC, datetime

import pytest

from conversations_ops.models import AddressConfiguration, Conversation, Pairing, SyncOperation, Template
from conversations_ops.pairings.actions import PairingRefused, pairing_start
from conversations_ops.pairings.preflight import PairingRequest, pairing_preflight
from conversations_ops.twilio import gateway
from conversations_ops.twilio.records import RemoteParticipantConversation
from tests.helpers.ids import make_sid

pytestmark = pytest.mark.django_db

SENDER, SMS_SENDER = "whatsapp:+14155238886", "+14155238887"
CUSTOMER, COURIER = "whatsapp:+15017122661", "whatsapp:+15017122662"


@pytest.fixture(autouse=True)
def reachable_console(settings):
    settings.PUBLIC_BASE_URL = "https://console.example.com"  # the tests' http://testserver is no URL Twilio calls


@pytest.fixture
def setup(db):
    AddressConfiguration.objects.create(sid=make_sid("IG", 1), type="whatsapp", address=SENDER)
    AddressConfiguration.objects.create(sid=make_sid("IG", 2), type="sms", address=SMS_SENDER)
    invite = Template.objects.create(
        sid=make_sid("HX", 1),
        friendly_name="courier_invite",
        language="en",
        types={"twilio/text": {"body": "Hello {{1}}, {{2}} (your rider) is here."}},
        approval_status="approved",
    )
    connected = Template.objects.create(
        sid=make_sid("HX", 2),
        friendly_name="courier_connected",
        language="en",
        types={"twilio/text": {"body": "You're now connected."}},
        approval_status="approved",
    )
    return invite, connected


def request_for(setup, **changes) -> PairingRequest:
    invite, connected = setup
    values = dict(
        sender=SENDER,
        customer=CUSTOMER,
        courier=COURIER,
        invite_template=invite.sid,
        invite_variables={"1": "Robert", "2": "Alicia"},
        connected_template=connected.sid,
    )
    return PairingRequest(**{**values, **changes})


@pytest.fixture
def twilio_bindings(monkeypatch):
    """What ParticipantConversations answers, per address."""
    held = {}
    monkeypatch.setattr(
        gateway, "participant_conversation_list", lambda *, address=None, **_: iter(held.get(address, []))
    )
    return held


def held_by(sid_n: int, address: str, proxy: str, state: str = "active") -> RemoteParticipantConversation:
    return RemoteParticipantConversation(
        conversation_sid=make_sid("CH", sid_n),
        conversation_unique_name="order-77",
        conversation_friendly_name=None,
        conversation_state=state,
        conversation_attributes="{}",
        conversation_date_created=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        participant_sid=make_sid("MB"),
        binding_address=address,
        binding_proxy_address=proxy,
    )


def test_a_clean_request_passes_and_previews_both_templates(setup, twilio_bindings):
    result = pairing_preflight(request=request_for(setup))
    assert result.ok, result.reasons()
    assert result.invite_preview == "Hello Robert, Alicia (your rider) is here."
    assert result.connected_preview == "You're now connected."


def test_a_binding_conflict_on_twilio_names_the_other_conversation_and_nothing_is_written(setup, twilio_bindings):
    other = Conversation.objects.create(sid=make_sid("CH", 9), unique_name="order-77")
    twilio_bindings[CUSTOMER] = [held_by(9, CUSTOMER, SENDER)]
    with pytest.raises(PairingRefused) as refused:
        pairing_start(request=request_for(setup))
    (conflict,) = refused.value.preflight.conflicts
    assert (conflict.party, conflict.conversation_sid, conflict.state, conflict.mirrored_pk) == (
        "customer",
        other.sid,
        "active",
        other.pk,
    )
    assert other.sid in conflict.line() and "“order-77” (active, " in conflict.line()
    assert conflict.age.endswith(("min old", "h old", "days old"))
    assert not Pairing.objects.exists() and not SyncOperation.objects.exists()


def test_closed_conversations_and_other_business_numbers_are_no_conflict(setup, twilio_bindings):
    twilio_bindings[CUSTOMER] = [
        held_by(1, CUSTOMER, SENDER, state="closed"),
        held_by(2, CUSTOMER, "whatsapp:+14155230000"),
    ]
    twilio_bindings[COURIER] = [held_by(3, COURIER, SENDER, state="inactive")]  # inactive still holds the pair
    result = pairing_preflight(request=request_for(setup))
    assert [(c.party, c.conversation_sid) for c in result.conflicts] == [("courier", make_sid("CH", 3))]


def test_twilio_unreachable_refuses_with_the_reason(setup, monkeypatch):
    def down(**_):
        raise gateway.GatewayError(status=None, code=None, message="Connection refused")

    monkeypatch.setattr(gateway, "participant_conversation_list", down)
    result = pairing_preflight(request=request_for(setup))
    assert not result.ok and "Could not ask Twilio" in result.errors["customer"][0]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"sender": "whatsapp:+19999999999"}, "sender", "not one of the console's WhatsApp address configurations"),
        ({"sender": SMS_SENDER}, "sender", "not one of the console's WhatsApp"),
        ({"customer": "whatsapp:12345"}, "customer", ""),
        ({"courier": CUSTOMER}, "courier", "pair two different people"),
        ({"courier": "+15017122662"}, None, None),  # an SMS courier with the one SMS sender: fine
        ({"invite_variables": {"1": "Robert"}}, "invite_variables", "{{2}} is missing"),
        ({"invite_variables": {"1": "Robert", "2": "Alicia", "3": "x"}}, "invite_variables", "{{3}} is not in"),
        ({"invite_template": "HX" + "f" * 32}, "invite_template", "not in the console's template list"),
        ({"reply_timeout_minutes": 0}, "reply_timeout_minutes", "at least one minute"),
    ],
)
def test_each_refusal_names_its_field(setup, twilio_bindings, changes, field, words):
    result = pairing_preflight(request=request_for(setup, **changes))
    if field is None:
        assert result.ok, result.reasons()
        return
    assert field in result.errors, result.errors
    assert words in " ".join(result.errors[field])


def test_a_template_that_is_not_approved_is_refused(setup, twilio_bindings):
    invite, _ = setup
    Template.objects.filter(pk=invite.pk).update(approval_status="paused")
    result = pairing_preflight(request=request_for(setup))
    assert "paused by WhatsApp" in result.errors["invite_template"][0]


def test_an_sms_party_needs_an_sms_sender_when_the_console_knows_several(setup, twilio_bindings):
    AddressConfiguration.objects.create(sid=make_sid("IG", 3), type="sms", address="+14155238888")
    result = pairing_preflight(request=request_for(setup, courier="+15017122662"))
    assert "needs the business SMS number" in result.errors["sms_sender"][0]
    assert pairing_preflight(request=request_for(setup, courier="+15017122662", sms_sender=SMS_SENDER)).ok


def test_templates_a_recent_pairing_names_are_in_use(setup):
    """So WhatsApp pausing one raises the admin's alert (templates.template_in_use)."""
    from conversations_ops.messaging.templates import template_in_use

    invite, connected = setup
    assert not template_in_use(template=invite)
    Pairing.objects.create(
        sender=AddressConfiguration.objects.get(address=SENDER),
        customer_address=CUSTOMER,
        courier_address=COURIER,
        invite_template=invite,
        connected_template=connected,
    )
    assert template_in_use(template=invite) and template_in_use(template=connected)


def test_a_public_base_url_twilio_cannot_call_is_refused_up_front(setup, twilio_bindings, settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    result = pairing_preflight(request=request_for(setup))
    assert "PUBLIC_BASE_URL gives http://testserver/webhooks/twilio/conversations/" in result.errors["__all__"][0]


def test_closing_a_conflict_that_is_an_open_pairing_closes_the_pairing(setup):
    from conversations_ops.models import PairingState
    from conversations_ops.outbox import queue as outbox
    from conversations_ops.pairings.actions import conflict_close

    invite, connected = setup
    conversation = Conversation.objects.create(sid=make_sid("CH", 5), sync_state="synced")
    pairing = Pairing.objects.create(
        sender=AddressConfiguration.objects.get(address=SENDER),
        customer_address=CUSTOMER,
        courier_address=COURIER,
        invite_template=invite,
        connected_template=connected,
        conversation=conversation,
        state=PairingState.CONNECTED,
    )
    import unittest.mock

    with unittest.mock.patch.object(outbox, "sync_operation_enqueue"):
        conflict_close(conversation_sid=conversation.sid)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.CLOSING
    assert SyncOperation.objects.get(object_id=conversation.pk).operation == "conversation.update"
