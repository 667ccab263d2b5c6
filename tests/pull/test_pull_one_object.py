"""The admin's "Pull from Twilio": one record (with a conversation's people and messages)."""

import pytest

from conversations_ops.models import AddressConfiguration, Conversation, Message, Participant, SyncState, Template
from conversations_ops.pull.runner import (
    pull_address_configuration,
    pull_conversation,
    pull_template,
    twilio_pull,
)
from simulator.models import SimConversation, SimMessage, SimParticipant

from . import sim_state

pytestmark = pytest.mark.slow


def test_pull_conversation_refreshes_it_with_its_participants_and_messages(simulator):
    sim_conv = sim_state.conversation(messages=3)
    twilio_pull(resources=["conversations"])
    conv = Conversation.objects.get(sid=sim_conv.sid)
    SimConversation.objects.filter(pk=sim_conv.pk).update(friendly_name="Renamed on Twilio")
    SimParticipant.objects.filter(conversation=sim_conv, identity="ops-agent").delete()

    summary = pull_conversation(conversation=conv)

    assert conv.friendly_name == "Renamed on Twilio"
    assert (summary.resources["participants"].created, summary.resources["messages"].created) == (2, 3)
    assert conv.participants.count() == 2 and conv.messages.count() == 3

    SimMessage.objects.filter(conversation=sim_conv, index=2).delete()
    again = pull_conversation(conversation=conv)
    assert again.resources["messages"].deleted == 1 and again.resources["conversations"].unchanged == 1


def test_a_conversation_gone_from_twilio_is_marked_with_what_it_held(simulator):
    sim_conv = sim_state.conversation(messages=2)
    twilio_pull(resources=["conversations", "participants", "messages"])
    conv = Conversation.objects.get(sid=sim_conv.sid)
    sim_state.remove_conversation(sim_conv)

    summary = pull_conversation(conversation=conv)

    conv.refresh_from_db()
    assert conv.sync_state == SyncState.DELETED_REMOTELY
    assert {n: c.deleted for n, c in summary.resources.items()} == {
        "conversations": 1,
        "participants": 3,
        "messages": 2,
    }
    assert set(Participant.objects.values_list("sync_state", flat=True)) == {SyncState.DELETED_REMOTELY}
    assert set(Message.objects.values_list("sync_state", flat=True)) == {SyncState.DELETED_REMOTELY}


def test_a_conversation_not_on_twilio_yet_is_left_alone(simulator, requests_made):
    draft = Conversation.objects.create(friendly_name="Draft")
    summary = pull_conversation(conversation=draft)
    assert summary.changed == 0 and requests_made.urls == []


def test_pull_address_configuration_and_its_deletion(simulator):
    sim_address = sim_state.address()
    twilio_pull(resources=["addresses"])
    address = AddressConfiguration.objects.get()
    sim_address.friendly_name = "Renamed"
    sim_address.save()

    assert pull_address_configuration(address_configuration=address).resources["addresses"].updated == 1
    assert address.friendly_name == "Renamed"

    sim_address.delete()
    pull_address_configuration(address_configuration=address)
    address.refresh_from_db()
    assert address.sync_state == SyncState.DELETED_REMOTELY


def test_pull_template_keeps_its_whatsapp_approval(simulator):
    sim_content = sim_state.content(status="approved")
    twilio_pull(resources=["templates"])
    template = Template.objects.get()
    sim_content.approval = {**sim_content.approval, "status": "paused"}
    sim_content.save()

    pull_template(template=template)

    assert (template.approval_status, template.approval_category, template.approval_name) == (
        "paused",
        "UTILITY",
        "courier_invite",
    )
    sim_content.delete()
    pull_template(template=template)
    template.refresh_from_db()
    assert template.sync_state == SyncState.DELETED_REMOTELY
