"""Routing inbound messages on clienteling senders, through the webhook appliers as Twilio delivers them:
a known customer's conversation reaches their advisor; an unknown person is queued or assigned by
round-robin; a routing failure leaves the message stored and the customer in the queue with why."""

import pytest

from conversations_ops.clienteling.selectors import customer_conversation, unassigned_queue
from conversations_ops.clienteling.services import customer_assign
from conversations_ops.models import (
    Assignment,
    Conversation,
    ConversationState,
    Customer,
    Message,
    Participant,
    TeamMembership,
)
from tests.helpers.clienteling import advisor, sender, team
from tests.helpers.ids import BUSINESS_WHATSAPP, CUSTOMER_WHATSAPP, make_sid
from tests.webhooks.builders import message_event, outcome_of, participant_event

pytestmark = pytest.mark.django_db
STRANGER = "whatsapp:+15017122999"


def writes(client, person: str, *, n: int = 1, participant_first: bool = True) -> str:
    """Twilio auto-created a conversation for `person`'s message to the sender: its two events."""
    conversation, participant = make_sid("CH", n), make_sid("MB", n)
    events = [
        participant_event("onParticipantAdded", conversation, participant, address=person, proxy=BUSINESS_WHATSAPP),
        message_event("onMessageAdded", conversation, make_sid("IM", n), index=0, body="Hello?", author=person),
    ]
    outcomes = [outcome_of(client, pairs) for pairs in (events if participant_first else events[::-1])]
    return " | ".join(outcomes)


@pytest.fixture
def whatsapp():
    return sender(BUSINESS_WHATSAPP)


def _advisor_identities(conversation) -> set[str]:
    return set(
        Participant.objects.filter(conversation=conversation).exclude(identity="").values_list("identity", flat=True)
    )


def test_an_unknown_person_on_a_queue_team_sender_waits_unassigned(client, whatsapp):
    manager = advisor("mia", group="Advisor managers")
    team("Boutique", senders=[whatsapp], managers=[manager])

    outcome = writes(client, STRANGER)

    customer = Customer.objects.get()
    assert (customer.whatsapp_address, customer.source, customer.advisor) == (STRANGER, "inbound", None)
    assert "waits in the unassigned queue" in outcome
    assert list(unassigned_queue(manager)) == [customer]
    conversation = customer_conversation(customer)
    assert Message.objects.get(conversation=conversation).body == "Hello?"
    assert _advisor_identities(conversation) == set()


@pytest.mark.parametrize("participant_first", [True, False], ids=["participant-first", "message-first"])
def test_round_robin_gives_unknown_people_to_available_advisors_longest_idle_first(client, whatsapp, participant_first):
    alice, bob, carol = advisor("alice"), advisor("bob"), advisor("carol")
    team("Boutique", senders=[whatsapp], members=[alice, bob, carol], assignment=Assignment.ROUND_ROBIN)
    TeamMembership.objects.filter(advisor=carol).update(available=False)

    for n in (1, 2, 3):
        writes(client, f"whatsapp:+1501712290{n}", n=n, participant_first=participant_first)

    owners = [c.advisor.username for c in Customer.objects.order_by("id")]
    assert owners == ["alice", "bob", "alice"]  # carol is away
    for customer in Customer.objects.all():
        assert _advisor_identities(customer_conversation(customer)) == {customer.advisor.username}


def test_nobody_available_leaves_the_customer_in_the_queue_with_the_reason(client, whatsapp):
    alice = advisor("alice")
    team("Boutique", senders=[whatsapp], members=[alice], assignment=Assignment.ROUND_ROBIN)
    TeamMembership.objects.update(available=False)

    writes(client, STRANGER)

    customer = Customer.objects.get()
    assert customer.advisor is None
    assert "No advisor of team Boutique is available" in customer.routing_problem
    assert Message.objects.filter(body="Hello?").count() == 1


def test_a_known_customer_writing_after_twilio_closed_their_conversation_gets_a_new_one_with_their_advisor(
    client, whatsapp
):
    alice = advisor("alice")
    customer = customer_assign(customer_address=CUSTOMER_WHATSAPP, sender_address=BUSINESS_WHATSAPP, advisor=alice)
    old = customer_conversation(customer)
    Conversation.objects.filter(pk=old.pk).update(sid=make_sid("CH", 50), state=ConversationState.CLOSED)

    outcome = writes(client, CUSTOMER_WHATSAPP, n=7)

    new = customer_conversation(customer)
    assert new.sid == make_sid("CH", 7) and "a new conversation linked" in outcome
    assert _advisor_identities(new) == {"alice"}
    assert Customer.objects.count() == 1


def test_a_failed_routing_keeps_the_message_and_says_why(client, whatsapp):
    """The advisor cannot be added (the conversation closed meanwhile): the message stays, the reason shows."""
    alice = advisor("alice")
    team("Boutique", senders=[whatsapp], members=[alice], assignment=Assignment.ROUND_ROBIN)
    conversation = Conversation.objects.create(sid=make_sid("CH"), sync_state="synced", state=ConversationState.CLOSED)
    assert conversation.pk

    writes(client, STRANGER)

    customer = Customer.objects.get()
    assert customer.advisor == alice
    assert "could not be added" in customer.routing_problem and "closed" in customer.routing_problem
    assert list(unassigned_queue(alice)) == [customer]  # the queue shows it, with the reason
    assert Message.objects.filter(conversation=conversation, body="Hello?").exists()


def test_a_sender_no_team_serves_and_no_customer_talks_to_is_left_alone(client, whatsapp):
    outcome = writes(client, STRANGER)

    assert not Customer.objects.exists() and "clienteling" not in outcome


def test_a_run_of_messages_applied_in_bulk_is_routed_too(client, whatsapp, monkeypatch):
    """The inbox applies runs of onMessageAdded together (messages_bulk.py): routing runs there as well."""
    from conversations_ops.webhooks import inbox as webhook_inbox
    from conversations_ops.webhooks.inbox import webhook_inbox_drain
    from tests.webhooks.signing import signed_post

    conversation = make_sid("CH", 3)
    outcome_of(
        client,
        participant_event(
            "onParticipantAdded", conversation, make_sid("MB", 3), address=STRANGER, proxy=BUSINESS_WHATSAPP
        ),
    )
    assert not Customer.objects.exists()  # no team served the sender yet
    team("Boutique", senders=[whatsapp], members=[advisor("alice")], assignment=Assignment.ROUND_ROBIN)
    monkeypatch.setattr(webhook_inbox, "BULK_RUN", 25)
    monkeypatch.setattr(webhook_inbox, "BURST_RUN", 25)
    for n in range(3):
        pairs = message_event(
            "onMessageAdded", conversation, make_sid("IM", 30 + n), index=n, body=f"m{n}", author=STRANGER
        )
        assert signed_post(client, "conversations", pairs).status_code == 200
    webhook_inbox_drain(budget_seconds=10)

    customer = Customer.objects.get()
    assert customer.advisor.username == "alice" and customer_conversation(customer).sid == conversation
    assert Message.objects.filter(conversation__sid=conversation).count() == 3
