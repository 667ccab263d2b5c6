"""A pull copies every resource into the mirror, changes nothing the second time, and notices deletions."""

import pytest
from django.utils import timezone

from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    Direction,
    Message,
    Participant,
    SyncState,
    Template,
)
from conversations_ops.pull.runner import twilio_pull
from simulator.models import SimAddressConfiguration, SimConversation, SimMessage, SimParticipant

from . import sim_state

pytestmark = pytest.mark.slow


def updated_ats():
    return {
        model.__name__: dict(model.objects.values_list("sid", "updated_at"))
        for model in (AddressConfiguration, Conversation, Participant, Message, Template)
    }


def test_every_resource_lands_in_the_mirror_with_twilio_s_fields(simulator):
    sim_address = sim_state.address()
    sim_conv = sim_state.conversation(messages=3, unique_name="order-7", friendly_name="Order 7")
    sim_content = sim_state.content()

    summary = twilio_pull()

    assert {name: c.created for name, c in summary.resources.items()} == {
        "addresses": 1,
        "conversations": 1,
        "participants": 3,
        "messages": 3,
        "templates": 1,
        "configuration": 1,  # the account's /v1/Configuration, one row
    }
    address = AddressConfiguration.objects.get(sid=sim_address.sid)
    assert (
        address.address,
        address.friendly_name,
        address.auto_creation_enabled,
        address.auto_creation_type,
        address.address_country,
    ) == (sim_state.BUSINESS_WA, "Deliveries", True, "default", "US")
    conv = Conversation.objects.get(sid=sim_conv.sid)
    assert (conv.unique_name, conv.friendly_name, conv.state, conv.sync_state) == (
        "order-7",
        "Order 7",
        "active",
        SyncState.SYNCED,
    )
    customer = Participant.objects.get(messaging_binding_address=sim_state.CUSTOMER_WA)
    assert (
        customer.conversation,
        customer.messaging_binding_type,
        customer.messaging_binding_proxy_address,
        customer.attributes,
    ) == (conv, "whatsapp", sim_state.BUSINESS_WA, '{"n": 1}')
    assert Participant.objects.get(identity="ops-agent").messaging_binding_type == "chat"
    messages = list(conv.messages.order_by("index"))
    assert [(m.index, m.body, m.author) for m in messages] == [
        (0, "message 0", "ops-agent"),
        (1, "message 1", sim_state.CUSTOMER_WA),
        (2, "message 2", "ops-agent"),
    ]
    assert [m.direction for m in messages] == [Direction.OUTBOUND, Direction.INBOUND, Direction.OUTBOUND]
    assert all(m.sid.startswith("IM") and m.last_seen_at for m in messages)
    template = Template.objects.get(sid=sim_content.sid)
    assert (template.friendly_name, template.body_text, template.approval_status, template.approval_category) == (
        "courier_invite",
        "Hello {{1}}",
        "approved",
        "UTILITY",
    )


def test_a_second_pull_changes_nothing(simulator):
    sim_state.address()
    for n in range(3):
        sim_state.conversation(messages=120 if n == 0 else 5, unique_name=f"order-{n}", **sim_state.people(n))
    SimConversation.objects.filter(unique_name="order-1").update(timers_inactive="PT1H", timers_closed="P1D")
    sim_state.content()
    twilio_pull()
    before = updated_ats()

    summary = twilio_pull()

    assert summary.changed == 0 and summary.complete
    assert all(c.unchanged == c.items and c.items for c in summary.resources.values()), str(summary)
    assert summary.resources["messages"].unchanged == 130
    assert updated_ats() == before


def test_a_change_on_twilio_updates_only_that_row(simulator):
    sim_conv = sim_state.conversation(messages=2)
    twilio_pull()
    SimMessage.objects.filter(conversation=sim_conv, index=1).update(body="edited")

    summary = twilio_pull(resources=["messages"])

    assert (summary.resources["messages"].updated, summary.resources["messages"].unchanged) == (1, 1)
    assert Message.objects.get(index=1).body == "edited"


def test_what_twilio_deleted_becomes_deleted_remotely(simulator):
    kept, gone = sim_state.conversation(messages=2), sim_state.conversation(messages=2, people=False)
    gone_content = sim_state.content("old_template")
    twilio_pull()
    courier = SimParticipant.objects.get(conversation=kept, address=sim_state.COURIER_SMS)
    courier.delete()
    SimMessage.objects.filter(conversation=kept, index=0).delete()
    sim_state.remove_conversation(gone)
    gone_content.delete()

    summary = twilio_pull()

    states = dict(Conversation.objects.values_list("sid", "sync_state"))
    assert states == {kept.sid: SyncState.SYNCED, gone.sid: SyncState.DELETED_REMOTELY}
    assert Participant.objects.get(sid=courier.sid).sync_state == SyncState.DELETED_REMOTELY
    assert Participant.objects.filter(sync_state=SyncState.SYNCED).count() == 2
    # The deleted conversation's messages went with it; one message of the kept one was deleted.
    assert Message.objects.filter(sync_state=SyncState.DELETED_REMOTELY).count() == 3
    assert Template.objects.get(sid=gone_content.sid).sync_state == SyncState.DELETED_REMOTELY
    assert {name: c.deleted for name, c in summary.resources.items()} == {
        "addresses": 0,
        "conversations": 1,
        "participants": 1,
        "messages": 3,
        "templates": 1,
        "configuration": 0,
    }
    assert twilio_pull().changed == 0


def test_pending_local_changes_are_not_clobbered(simulator):
    sim_conv = sim_state.conversation(messages=1, friendly_name="On Twilio")
    twilio_pull()
    conv = Conversation.objects.get(sid=sim_conv.sid)
    conv.friendly_name, conv.sync_state = "Staff edit", SyncState.PENDING
    conv.save()
    failed = Message.objects.get()
    failed.body, failed.sync_state, failed.last_sync_error_code = "retry me", SyncState.FAILED, 50377
    failed.save()

    started = timezone.now()
    summary = twilio_pull(resources=["conversations", "messages"])

    conv.refresh_from_db()
    failed.refresh_from_db()
    assert (conv.friendly_name, conv.sync_state) == ("Staff edit", SyncState.PENDING)
    assert (failed.body, failed.sync_state, failed.last_sync_error_code) == ("retry me", SyncState.FAILED, 50377)
    assert summary.resources["conversations"].skipped == 1 and summary.resources["messages"].skipped == 1
    assert conv.last_seen_at >= started and failed.last_seen_at >= started  # seen, so never swept as deleted


def test_rows_not_yet_on_twilio_are_left_to_the_push(simulator):
    """A lost-response create exists on Twilio before the local row has its SID: no second row."""
    sim_conv = sim_state.conversation(unique_name="pairing-42", people=False)
    local = Conversation.objects.create(unique_name="pairing-42", friendly_name="Local draft")
    other = Conversation.objects.create(friendly_name="Never pushed")

    summary = twilio_pull(resources=["conversations"])

    assert summary.resources["conversations"].skipped == 1 and not summary.resources["conversations"].conflicts
    local.refresh_from_db()
    assert (local.sid, local.friendly_name, local.sync_state) == ("", "Local draft", SyncState.PENDING)
    assert not Conversation.objects.filter(sid=sim_conv.sid).exists()
    other.refresh_from_db()
    assert other.sync_state == SyncState.PENDING


def test_a_message_carrying_a_local_id_waits_for_the_push(simulator):
    sim_conv = sim_state.conversation(messages=1, people=False)
    twilio_pull(resources=["conversations"])
    conv = Conversation.objects.get(sid=sim_conv.sid)
    draft = Message.objects.create(conversation=conv, body="sent, answer lost")
    sim_state.add_messages(sim_conv, 1, start=1)
    SimMessage.objects.filter(conversation=sim_conv, index=1).update(attributes=f'{{"local_id": "{draft.local_id}"}}')

    summary = twilio_pull(resources=["messages"])

    assert (summary.resources["messages"].created, summary.resources["messages"].skipped) == (1, 1)
    assert conv.messages.count() == 2 and conv.messages.filter(sid="").get() == draft


def test_a_conversation_deleted_before_its_messages_are_listed(simulator):
    sim_conv = sim_state.conversation(messages=2)
    twilio_pull()
    sim_state.remove_conversation(sim_conv)

    summary = twilio_pull(resources=["messages"])  # conversations not listed: the 404 tells

    assert Conversation.objects.get().sync_state == SyncState.DELETED_REMOTELY
    assert summary.resources["messages"].deleted == 2


def test_a_unique_key_held_by_a_stale_row_is_a_conflict_not_a_crash(simulator):
    """An address deleted and re-created on Twilio gets a new SID; the old row still holds the address."""
    old = sim_state.address()
    twilio_pull(resources=["addresses"])
    SimAddressConfiguration.objects.filter(pk=old.pk).update(sid="IG" + "0" * 32)
    sim_state.conversation(messages=1, people=False)

    summary = twilio_pull(resources=["addresses", "conversations"])

    assert (summary.resources["addresses"].conflicts, summary.resources["addresses"].deleted) == (1, 1)
    assert AddressConfiguration.objects.get().sync_state == SyncState.DELETED_REMOTELY
    assert summary.resources["conversations"].created == 1  # the pull went on

    # The stale row no longer holds the address, so the next pull stores the new one.
    again = twilio_pull(resources=["addresses"])
    assert (again.resources["addresses"].created, again.resources["addresses"].conflicts) == (1, 0)
    assert set(AddressConfiguration.objects.values_list("sid", "sync_state")) == {
        ("IG" + "0" * 32, SyncState.SYNCED),
        (old.sid, SyncState.DELETED_REMOTELY),
    }


def test_a_participant_removed_and_added_again_on_twilio_is_stored_again(simulator):
    """Twilio frees a binding when its participant is removed; the old row must not keep holding it."""
    sim_conv = sim_state.conversation()
    twilio_pull(resources=["conversations", "participants"])
    customer = sim_state.participants_of(sim_conv).get(address=sim_state.CUSTOMER_WA)
    old_sid = customer.sid
    SimParticipant.objects.filter(pk=customer.pk).update(sid="MB" + "0" * 32)  # removed, then re-added

    twilio_pull(resources=["conversations", "participants"])
    twilio_pull(resources=["conversations", "participants"])

    rows = Participant.objects.filter(messaging_binding_address=sim_state.CUSTOMER_WA)
    assert set(rows.values_list("sid", "sync_state")) == {
        ("MB" + "0" * 32, SyncState.SYNCED),
        (old_sid, SyncState.DELETED_REMOTELY),
    }


def test_a_message_the_console_sent_as_a_person_is_pulled_as_outbound(simulator):
    """A pairing's invite is authored as the courier, but the push marked it (ops_local_id)."""
    sim_conv = sim_state.conversation(messages=3)
    SimMessage.objects.filter(conversation=sim_conv, index=1).update(attributes='{"ops_local_id": "42"}')

    twilio_pull()

    messages = list(Conversation.objects.get(sid=sim_conv.sid).messages.order_by("index"))
    assert messages[1].author == sim_state.CUSTOMER_WA
    assert [m.direction for m in messages] == [Direction.OUTBOUND, Direction.OUTBOUND, Direction.OUTBOUND]
