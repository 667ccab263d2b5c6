"""Issue 20, item 3: nobody is messaged after they said stop. Every path that messages a person
refuses an opted-out one with the reason and since when (the guard, the command, an unguarded
workflow send, Resend, the inbox's replies and outreach, the pairing pre-flight for the customer
and the courier, reassignment introductions, a message queued before the opt-out); the console's
own keyword answers still go out; a pairing whose customer or courier opts out is closed with
the reason; staff opt nobody in without a reason. No Twilio here: pushes stay in the outbox
(test_consent_enforcement_e2e.py has the simulator)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conversations_ops.clienteling.reassign import Introduction, customer_reassign
from conversations_ops.consent.services import consent_opt_in, consent_opt_out, consent_set
from conversations_ops.models import (
    AuditEntry,
    Consent,
    Conversation,
    Customer,
    Direction,
    Message,
    OperationState,
    Pairing,
    PairingState,
    Participant,
    StepKind,
    StepState,
    SyncOperation,
)
from conversations_ops.outbox.runner import sync_operation_run
from conversations_ops.pairings.actions import pairing_start
from conversations_ops.pairings.courier_replace import pairing_courier_replace
from conversations_ops.pairings.preflight import pairing_preflight
from conversations_ops.services.messages import message_resend, message_send
from conversations_ops.twilio import gateway
from tests.clienteling.test_reassign import INTRO, ROBERT, book  # noqa: F401 - the fixture
from tests.consent.helpers import BUSINESS_SMS, PERSON_SMS
from tests.helpers.clienteling import advisor, sender
from tests.helpers.ids import BUSINESS_WHATSAPP, make_sid
from tests.helpers.inbox import linked_customer, number, said
from tests.pairings.test_courier_replace import NEW_COURIER, connected  # noqa: F401 - the fixture
from tests.pairings.test_preflight import (  # noqa: F401 - the fixtures
    COURIER,
    CUSTOMER,
    SENDER,
    reachable_console,
    request_for,
    setup,
    twilio_bindings,
)
from tests.roles.staff import OPS, client_for, staff_user, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("held_pushes")]

WHOLE = PERSON_SMS.removeprefix("+")
SAYS = "must not be messaged from"


@pytest.fixture
def thread():
    """An SMS conversation on Twilio between the person and the business number."""
    conversation = Conversation.objects.create(sid=make_sid("CH", 1), unique_name="order-1", sync_state="synced")
    Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB", 1),
        sync_state="synced",
        messaging_binding_type="sms",
        messaging_binding_address=PERSON_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
    )
    return conversation


def _stop(address=PERSON_SMS, sender=BUSINESS_SMS, n=1):
    return consent_opt_out(
        address=address, sender=sender, how="keyword_opt_out", keyword="STOP", message_sid=make_sid("IM", 900 + n)
    )


def _refusal(exc) -> str:
    return " ".join(exc.messages if isinstance(exc, ValidationError) else [str(exc)])


def _is_the_refusal(text: str) -> None:
    assert SAYS in text and "opted out by texting STOP on 20" in text, text
    assert WHOLE not in text  # masked: pages, command output and operations' errors are read by anyone


# Every send path -----------------------------------------------------------------------------


@pytest.mark.parametrize("guard", [True, False], ids=["guarded", "workflow"])
def test_a_send_to_someone_who_opted_out_is_refused_with_the_reason_and_when(thread, guard):
    _stop()
    with pytest.raises(ValidationError) as refused:
        message_send(conversation=thread, body="Your parcel is at the door", guard=guard)
    _is_the_refusal(_refusal(refused.value))
    assert not Message.objects.exists() and not SyncOperation.objects.exists()


def test_the_send_message_page_shows_the_refusal(thread):
    _stop()
    response = client_for(staff_user(OPS)).post(
        reverse("admin:conversations_ops_conversation_send", args=[thread.pk]),
        {"mode": "free_form", "body": "Your parcel is at the door"},
    )
    assert response.status_code == 200
    _is_the_refusal(" ".join(response.context["form"].non_field_errors()))
    assert not Message.objects.exists()


def test_the_command_exits_2_with_the_reason(thread):
    _stop()
    with pytest.raises(CommandError) as refused:
        call_command("message_send", "--conversation", thread.unique_name, "--body", "Hello?")
    assert refused.value.returncode == 2
    _is_the_refusal(str(refused.value))


def test_resend_is_refused_once_they_opted_out(thread):
    first = message_send(conversation=thread, body="Your parcel is at the door")
    _stop()
    with pytest.raises(ValidationError) as refused:
        message_resend(message=first)
    _is_the_refusal(_refusal(refused.value))
    assert Message.objects.count() == 1


def test_opting_back_in_lifts_it_and_another_sender_is_another_consent(thread):
    _stop()
    consent_opt_out(
        address=PERSON_SMS, sender="+14155550199", how="keyword_opt_out", keyword="STOP", message_sid=make_sid("IM")
    )
    consent_opt_in(address=PERSON_SMS, sender=BUSINESS_SMS, how="keyword_opt_in", keyword="START")
    assert message_send(conversation=thread, body="Welcome back", guard=True).pk


def test_the_author_is_not_asked_only_those_it_reaches(thread):
    """A message written as the person's own side (a pairing's connected template is written as the
    customer's, to reach only the courier) does not reach them."""
    _stop()
    assert message_send(conversation=thread, body="For the others", author=PERSON_SMS).pk


def test_the_consoles_own_keyword_answer_still_goes_out(thread):
    _stop()
    answer = message_send(
        conversation=thread, body="You are unsubscribed.", attributes=f'{{"consent_reply": "{make_sid("IM", 901)}"}}'
    )
    assert SyncOperation.objects.get(object_id=answer.pk).operation == "message.send"


def test_a_message_queued_before_the_opt_out_fails_in_the_outbox_with_the_reason(thread, monkeypatch):
    queued = message_send(conversation=thread, body="Your parcel is at the door", guard=True)
    _stop()
    calls = []
    monkeypatch.setattr(gateway, "message_create", lambda **kwargs: calls.append(kwargs))

    operation = sync_operation_run(operation_id=SyncOperation.objects.get(object_id=queued.pk).pk)

    assert calls == []  # nothing reached Twilio
    assert operation.state == OperationState.FAILED
    assert operation.last_error_message.startswith("Not sent: ")
    _is_the_refusal(operation.last_error_message)


# The advisor's inbox ------------------------------------------------------------------------


@pytest.fixture
def whatsapp():
    return sender(BUSINESS_WHATSAPP)


def test_an_inbox_reply_is_refused_with_the_reason(client, whatsapp):
    alice = advisor("alice")
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=5)
    _stop(number(1), BUSINESS_WHATSAPP)

    response = client_for(alice).post(
        reverse("inbox:customer", args=[customer.pk]), {"mode": "free_form", "body": "It comes in blue."}
    )

    assert response.status_code == 200
    error = " ".join(response.context["form"].non_field_errors())
    assert SAYS in error and "opted out by texting STOP" in error
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_outreach_is_refused_and_leaves_no_conversation(whatsapp, template):
    alice = advisor("alice")
    customer = Customer.objects.create(name="New", whatsapp_address=number(7), sender=whatsapp, advisor=alice)
    _stop(number(7), BUSINESS_WHATSAPP)

    response = client_for(alice).post(
        reverse("inbox:customer", args=[customer.pk]),
        {"mode": "template", "template": template.pk, "var_1": "Ana", "confirmed": "on"},
    )

    assert response.status_code == 200
    assert SAYS in " ".join(response.context["form"].non_field_errors())
    assert not Conversation.objects.exists() and not Message.objects.exists()


# Reassignment -------------------------------------------------------------------------------


def test_an_opted_out_customer_is_moved_without_the_introduction_and_told_why(book):  # noqa: F811
    _stop(ROBERT, BUSINESS_WHATSAPP)

    move = customer_reassign(
        customer=book["robert"],
        advisor=book["bob"],
        user=book["mia"],
        introduction=Introduction(content_sid=book["intro"].sid, variables=INTRO),
    )

    assert Customer.objects.get(pk=book["robert"].pk).advisor == book["bob"]
    assert not move.introduced and move.not_introduced.startswith("No introduction: ")
    assert "opted out by texting STOP" in move.not_introduced
    assert not Message.objects.filter(author="bob").exists()
    entry = AuditEntry.objects.filter(action="clienteling.reassign").latest("pk")
    assert entry.detail["introduction"] is None and "opted out" in entry.detail["not_introduced"]


# Pairings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("party", ["customer", "courier"])
def test_the_preflight_refuses_an_opted_out_party_beside_their_field(setup, twilio_bindings, party):  # noqa: F811
    _stop(CUSTOMER if party == "customer" else COURIER, SENDER)

    preflight = pairing_preflight(request=request_for(setup))

    assert not preflight.ok and list(preflight.errors) == [party]
    said = preflight.errors[party][0]
    assert said.startswith(f"The {party} opted out: ") and "opted out by texting STOP on" in said
    with pytest.raises(ValidationError):
        pairing_start(request=request_for(setup))
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("party", ["customer", "courier"])
def test_a_pairing_whose_party_opts_out_midway_is_closed_with_the_reason(setup, twilio_bindings, party):  # noqa: F811
    """The customer texts STOP (the worker records it: the timeline says why); the courier asks staff
    (a staff action: the audit entry says why too)."""
    pairing = pairing_start(request=request_for(setup))
    conversation = pairing.conversation
    Conversation.objects.filter(pk=conversation.pk).update(sid=make_sid("CH", 5), sync_state="synced")
    Pairing.objects.filter(pk=pairing.pk).update(state=PairingState.AWAITING_CUSTOMER)
    ops = staff_user(OPS, "olga")

    if party == "customer":
        _stop(CUSTOMER, SENDER)
    else:
        consent_set(address=COURIER, sender=SENDER, state="opted_out", reason="asked by phone, ticket 7", user=ops)

    pairing.refresh_from_db()
    assert pairing.state == PairingState.CLOSING
    note = pairing.steps.get(kind=StepKind.CLOSE, state=StepState.NOTE)
    assert note.detail.startswith(f"Closed by the console: the {party} opted out.")
    assert ("opted out by texting STOP" if party == "customer" else "ticket 7") in note.detail
    assert SyncOperation.objects.filter(operation="conversation.update", state=OperationState.PENDING).exists()
    assert not SyncOperation.objects.filter(operation="message.send", state=OperationState.PENDING).exists()
    closes = AuditEntry.objects.filter(action="pairing.close")
    if party == "courier":
        assert closes.get().actor == ops and "ticket 7" in closes.get().detail["reason"]
    else:
        assert not closes.exists()  # nobody on staff did it: the timeline's note is the record


def test_an_opted_out_new_courier_is_refused_beside_the_field(connected, twilio_bindings):  # noqa: F811
    _stop(NEW_COURIER, SENDER)

    with pytest.raises(ValidationError) as refused:
        pairing_courier_replace(pairing=connected, courier_address=NEW_COURIER, user=staff_user(OPS))

    assert "The courier opted out" in " ".join(refused.value.message_dict["courier"])
    assert not SyncOperation.objects.exists()


def test_an_opt_out_of_another_sender_leaves_the_pairing_alone(setup, twilio_bindings):  # noqa: F811
    pairing = pairing_start(request=request_for(setup))
    _stop(CUSTOMER, "whatsapp:+14155550199")
    pairing.refresh_from_db()
    assert pairing.state == PairingState.STARTING


# Opting back in needs a reason ----------------------------------------------------------------


def test_staff_cannot_record_a_new_person_as_opted_in_without_a_reason():
    page = client_for(staff_user(OPS))
    form = {"address": "+15017122699", "sender": BUSINESS_SMS, "state": "opted_in", "reason": ""}

    refused = page.post(url("consent", "record"), form)

    assert refused.status_code == 200 and list(refused.context["form"].errors) == ["reason"]
    assert not Consent.objects.exists()
    with pytest.raises(CommandError) as excinfo:
        call_command(
            "consent", "set", "--address", "+15017122699", "--sender", BUSINESS_SMS, "--state", "opted_in",
            "--as", staff_user(OPS, "olga").get_username(),
        )  # fmt: skip
    assert excinfo.value.returncode == 2 and "reason" in str(excinfo.value)
