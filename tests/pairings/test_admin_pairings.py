"""The pairing admin: the masked list, the Start pairing page (pre-flight, conflicts, preview,
confirm), the read-only pairing page (timeline, transcript) and Close / Retry / Abandon.

Nothing reaches Twilio: ParticipantConversations (the binding check) is answered by a
fake, and queued pushes are recorded but not run (`no_push`).
"""

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from conversations_ops.models import (
    AddressConfiguration,
    Conversation,
    DeliveryReceipt,
    Message,
    OperationState,
    Pairing,
    PairingState,
    PairingStep,
    Participant,
    StepKind,
    StepState,
    SyncOperation,
    Template,
)
from conversations_ops.twilio import gateway
from conversations_ops.twilio.records import RemoteParticipantConversation
from tests.helpers.ids import make_sid
from tests.roles.staff import client_for, staff_user

pytestmark = pytest.mark.django_db

SENDER = "whatsapp:+14155238886"
CUSTOMER = "whatsapp:+15017122661"
COURIER = "whatsapp:+15017122662"
CUSTOMER_MASKED = "whatsapp:+15•••••2661"
COURIER_MASKED = "whatsapp:+15•••••2662"
OTHER_SID = make_sid("CH", 99)
START_URL = reverse("admin:conversations_ops_pairing_start")


@pytest.fixture
def no_push(monkeypatch):
    """Pushes are queued (SyncOperation rows) but not run: no simulator in these tests."""
    monkeypatch.setattr("conversations_ops.outbox.queue.sync_operation_enqueue", lambda **kwargs: None)
    monkeypatch.setattr("conversations_ops.outbox.runner.sync_operation_enqueue", lambda **kwargs: None)


@pytest.fixture(autouse=True)
def public_url(settings):
    """The reply webhook's URL is built from it; the test default (http://testserver) is no valid URL
    (the pre-flight refuses it, before looking at the number pairs)."""
    settings.PUBLIC_BASE_URL = "https://console.example.com"


@pytest.fixture
def held(monkeypatch):
    """What Twilio's ParticipantConversations answers: append records to take a number pair."""
    records = []

    def participant_conversation_list(*, address=None, identity=None, page_size=50):
        return iter([r for r in records if r.binding_address == address])

    monkeypatch.setattr(gateway, "participant_conversation_list", participant_conversation_list)
    return records


def taken(address: str, sid: str = OTHER_SID) -> RemoteParticipantConversation:
    return RemoteParticipantConversation(
        conversation_sid=sid,
        conversation_unique_name="order-77",
        conversation_friendly_name=None,
        conversation_state="active",
        conversation_attributes="{}",
        conversation_date_created=None,
        participant_sid=make_sid("MB", 99),
        binding_address=address,
        binding_proxy_address=SENDER,
    )


@pytest.fixture
def sender(db):
    return AddressConfiguration.objects.create(
        type="whatsapp", address=SENDER, sid=make_sid("IG"), friendly_name="Deliveries"
    )


@pytest.fixture
def invite(db):
    return Template.objects.create(
        sid=make_sid("HX", 1),
        friendly_name="courier_invite",
        language="en",
        approval_status="approved",
        types={"twilio/text": {"body": "Hello {{1}}, {{2}} (your rider) needs help finding your door. Chat?"}},
    )


@pytest.fixture
def connected(db):
    return Template.objects.create(
        sid=make_sid("HX", 2),
        friendly_name="courier_connected",
        language="en",
        approval_status="approved",
        types={"twilio/text": {"body": "Your customer agreed to chat. Say hello!"}},
    )


@pytest.fixture
def form_data(sender, invite, connected):
    return {
        "sender": SENDER,
        "customer": CUSTOMER,
        "courier": COURIER,
        "invite_template": invite.sid,
        "invite_var_1": "Robert",
        "invite_var_2": "Alicia",
        "connected_template": connected.sid,
        "auto_reply": "",
        "sms_sender": "",
        "reply_timeout_minutes": "30",
        "action": "check",
    }


@pytest.fixture
def pairing(sender, invite, connected, admin_user):
    conversation = Conversation.objects.create(sid=make_sid("CH", 5), unique_name="pairing-x", sync_state="synced")
    return Pairing.objects.create(
        sender=sender,
        customer_address=CUSTOMER,
        courier_address=COURIER,
        invite_template=invite,
        invite_variables={"1": "Robert", "2": "Alicia"},
        connected_template=connected,
        conversation=conversation,
        state=PairingState.CONNECTED,
        started_by=admin_user,
    )


def page(pairing_, view="change"):
    return reverse(f"admin:conversations_ops_pairing_{view}", args=[pairing_.pk])


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# The list ------------------------------------------------------------------------


def test_list_shows_numbers_masked_and_never_in_full(admin_client, pairing):
    ops = client_for(staff_user("Ops"))  # may start pairings, may not see whole numbers
    response = ops.get(reverse("admin:conversations_ops_pairing_changelist"))
    html = response.content.decode()
    assert CUSTOMER_MASKED in html and COURIER_MASKED in html
    assert "15017122661" not in html and "15017122662" not in html
    assert pairing.conversation.sid in html
    assert reverse("admin:conversations_ops_conversation_change", args=[pairing.conversation.pk]) in html
    assert "Connected" in html
    assert START_URL in html  # the "Start pairing" button
    # A superuser holds "view full numbers".
    assert CUSTOMER in admin_client.get(reverse("admin:conversations_ops_pairing_changelist")).content.decode()


@pytest.mark.parametrize("term", [make_sid("CH", 5), "{pk}", "#{pk}"])
def test_list_search_by_conversation_sid_or_id(admin_client, pairing, term):
    response = admin_client.get(
        reverse("admin:conversations_ops_pairing_changelist"), {"q": term.format(pk=pairing.pk)}
    )
    assert list(response.context["cl"].result_list) == [pairing]


def test_add_leads_to_the_start_page_and_nothing_is_editable_or_deletable(admin_client, pairing):
    assert admin_client.get(reverse("admin:conversations_ops_pairing_add")).url == START_URL
    response = admin_client.get(page(pairing))
    assert response.context["has_change_permission"] is False
    assert admin_client.post(page(pairing, "delete"), {"post": "yes"}).status_code == 403
    assert Pairing.objects.filter(pk=pairing.pk).exists()


# The Start pairing page ----------------------------------------------------------


def test_start_page_shows_the_placeholders_of_the_chosen_template(admin_client, form_data):
    response = admin_client.post(START_URL, {**form_data, "action": "choose"})
    fields = response.context["form"].fields
    assert {"invite_var_1", "invite_var_2"} <= set(fields)
    assert not any(name.startswith("connected_var_") for name in fields)
    assert admin_client.get(START_URL).context["form"]["sender"].value() == SENDER  # the only one: preselected


def test_bad_customer_number_is_shown_beside_the_field(admin_client, form_data, held):
    response = admin_client.post(START_URL, {**form_data, "customer": "whatsapp:+1501"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["customer"]
    html = response.content.decode()
    row = html[html.index("field-customer") : html.index("field-courier")]
    assert 'class="errorlist' in row
    assert response.context["preflight"] is None
    assert not Pairing.objects.exists()


def test_missing_placeholder_value_is_shown_beside_its_placeholder(admin_client, form_data, held):
    response = admin_client.post(START_URL, {**form_data, "invite_var_2": " "})
    assert "{{2}}" in " ".join(response.context["form"].errors["invite_var_2"])
    assert "invite_var_1" not in response.context["form"].errors


def test_start_page_needs_the_add_pairing_permission(client, db):
    user = User.objects.create_user("auditor", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_pairing"))
    client.force_login(user)
    assert client.get(START_URL).status_code == 403
    assert client.post(START_URL, {"action": "check"}).status_code == 403


def test_conflict_is_listed_and_its_close_button_queues_the_close(admin_client, form_data, held, no_push):
    held.append(taken(CUSTOMER))
    response = admin_client.post(START_URL, form_data)
    html = response.content.decode()
    assert [c.conversation_sid for c, _ in response.context["conflicts"]] == [OTHER_SID]
    assert OTHER_SID in html and "active" in html and "order-77" in html
    close_url = reverse("admin:conversations_ops_pairing_conflict_close")
    assert f'formaction="{close_url}"' in html and f'value="{OTHER_SID}"' in html

    response = admin_client.post(close_url, {**form_data, "conversation_sid": OTHER_SID})
    assert response.status_code == 200
    conversation = Conversation.objects.get(sid=OTHER_SID)
    assert conversation.state == "closed"
    op = SyncOperation.objects.get(operation="conversation.update", object_id=conversation.pk)
    assert op.state == OperationState.PENDING
    assert any("queued" in m for m in shown_messages(response))
    conversation_url = reverse("admin:conversations_ops_conversation_change", args=[conversation.pk])
    assert f'<a href="{conversation_url}">{OTHER_SID}</a>' in response.content.decode()
    # Back on the form with what was typed, not yet checked again.
    assert response.context["form"]["customer"].value() == CUSTOMER
    assert response.context["form"]["invite_var_1"].value() == "Robert"
    assert not Pairing.objects.exists()


def test_conflict_with_a_mirrored_conversation_links_to_it_and_its_pairing(admin_client, form_data, held, pairing):
    mirrored = pairing.conversation
    held.append(taken(COURIER, sid=mirrored.sid))
    html = admin_client.post(START_URL, form_data).content.decode()
    assert reverse("admin:conversations_ops_conversation_change", args=[mirrored.pk]) in html
    assert f'belongs to <a href="{page(pairing)}">' in html


def test_check_shows_the_previews_and_confirm_starts_the_pairing(
    admin_client, admin_user, form_data, held, no_push, public_url
):
    response = admin_client.post(START_URL, form_data)
    html = response.content.decode()
    assert response.context["preflight"].ok
    assert "Hello Robert, Alicia (your rider) needs help finding your door. Chat?" in html
    assert "Your customer agreed to chat. Say hello!" in html
    assert "Confirm and start" in html and 'name="confirmed"' in html
    assert not Pairing.objects.exists()

    response = admin_client.post(START_URL, {**form_data, "action": "start", "confirmed": "on"})
    pairing = Pairing.objects.get()
    assert response.status_code == 302 and response.url == page(pairing)
    assert (pairing.customer_address, pairing.courier_address) == (CUSTOMER, COURIER)
    assert pairing.invite_variables == {"1": "Robert", "2": "Alicia"}
    assert (pairing.state, pairing.started_by, pairing.reply_timeout_minutes) == ("starting", admin_user, 30)
    assert pairing.conversation.unique_name == pairing.unique_name
    assert SyncOperation.objects.filter(operation="conversation.create").count() == 1


def test_confirm_is_refused_when_a_number_pair_was_taken_since_the_check(
    admin_client, form_data, held, no_push, public_url
):
    assert admin_client.post(START_URL, form_data).context["preflight"].ok
    held.append(taken(CUSTOMER))
    response = admin_client.post(START_URL, {**form_data, "action": "start", "confirmed": "on"})
    assert response.status_code == 200
    assert [c.conversation_sid for c, _ in response.context["conflicts"]] == [OTHER_SID]
    assert not Pairing.objects.exists()


# The pairing's page --------------------------------------------------------------


def _history(pairing_):
    conversation = pairing_.conversation
    for n, (role, address) in enumerate((("customer", CUSTOMER), ("courier", COURIER)), start=1):
        Participant.objects.create(
            conversation=conversation,
            sid=make_sid("MB", n),
            role=role,
            messaging_binding_address=address,
            messaging_binding_proxy_address=SENDER,
        )
    PairingStep.objects.create(
        pairing=pairing_,
        kind=StepKind.CONVERSATION,
        state=StepState.DONE,
        result_sid=conversation.sid,
        detail="Created.",
    )
    PairingStep.objects.create(
        pairing=pairing_,
        kind=StepKind.CONNECTED,
        state=StepState.FAILED,
        error_code=63016,
        detail="WhatsApp refused it.",
    )
    invite_message = Message.objects.create(
        conversation=conversation,
        sid=make_sid("IM", 1),
        index=0,
        author=COURIER,
        content_sid=pairing_.invite_template.sid,
        content_variables=json.dumps({"1": "Robert", "2": "Alicia"}),
        attributes=json.dumps({"pairing": {"id": pairing_.pk, "kind": "invite"}}),
    )
    DeliveryReceipt.objects.create(
        message=invite_message, sid=make_sid("DY", 1), participant_sid=make_sid("MB", 1), status="read"
    )
    reply = Message.objects.create(
        conversation=conversation,
        sid=make_sid("IM", 2),
        index=1,
        author=CUSTOMER,
        body="<b>Yes</b>, sure. Or call +15017122661",
    )
    DeliveryReceipt.objects.create(
        message=reply, sid=make_sid("DY", 2), participant_sid=make_sid("MB", 2), status="failed", error_code=63016
    )


def test_change_page_shows_timeline_and_transcript_masked_and_escaped(admin_client, pairing):
    _history(pairing)
    html = client_for(staff_user("Ops")).get(page(pairing)).content.decode()
    assert "Create the conversation" in html and pairing.conversation.sid in html
    assert "Send the connected template to the courier" in html and "error 63016" in html
    assert "console (invite template, to the customer)" in html
    assert f"customer ({CUSTOMER_MASKED})" in html
    assert "&lt;b&gt;Yes&lt;/b&gt;, sure" in html and "<b>Yes</b>" not in html
    assert f"Or call {CUSTOMER_MASKED[len('whatsapp:') :]}" in html  # a number written in a message is masked too
    # The invite reads as the customer read it: the template rendered with its variables.
    assert "[courier_invite] Hello Robert, Alicia (your rider) needs help finding your door. Chat?" in html
    assert f"courier ({COURIER_MASKED}): Failed (error 63016" in html
    assert "15017122661" not in html and "15017122662" not in html


def test_change_page_shows_full_numbers_to_who_may_see_them(admin_client, pairing):
    _history(pairing)
    html = admin_client.get(page(pairing)).content.decode()
    assert f"customer ({CUSTOMER})" in html and "Or call +15017122661" in html


def test_transcript_names_a_template_the_mirror_does_not_have_by_its_sid(admin_client, pairing):
    _history(pairing)
    Message.objects.filter(index=0).update(content_sid=make_sid("HX", 77))
    assert f"[template {make_sid('HX', 77)}]" in admin_client.get(page(pairing)).content.decode()


def test_failed_pairing_shows_its_failure_and_offers_retry_and_abandon(admin_client, pairing):
    Pairing.objects.filter(pk=pairing.pk).update(state=PairingState.FAILED, failure="63016: outside the window")
    response = admin_client.get(page(pairing))
    assert response.context["pairing_actions"] == ["close", "retry", "abandon"]
    html = response.content.decode()
    assert "63016: outside the window" in html
    assert "Close pairing" in html and "Retry failed steps" in html and "Abandon pairing" in html
    Pairing.objects.filter(pk=pairing.pk).update(state=PairingState.CONNECTED)
    assert admin_client.get(page(pairing)).context["pairing_actions"] == ["close"]


def test_close_asks_first_then_closes_the_conversation(admin_client, pairing, no_push):
    response = admin_client.get(page(pairing, "close"))
    assert response.status_code == 200 and "ends the conversation on Twilio" in response.content.decode()
    assert not SyncOperation.objects.exists()
    response = admin_client.post(page(pairing, "close"), {"post": "yes"}, follow=True)
    pairing.refresh_from_db()
    assert pairing.state == PairingState.CLOSING
    assert SyncOperation.objects.filter(operation="conversation.update", object_id=pairing.conversation_id).exists()
    assert any("closing" in m.lower() for m in shown_messages(response))


def test_retry_of_a_pairing_that_did_not_fail_is_refused_as_a_message(admin_client, pairing):
    response = admin_client.post(page(pairing, "retry"), follow=True)
    assert response.status_code == 200
    assert any("Retry failed steps refused" in m and "nothing to retry" in m for m in shown_messages(response))


def test_retry_sends_the_failed_steps_again(admin_client, pairing, no_push):
    op = SyncOperation.objects.create(
        content_type=ContentType.objects.get_for_model(Conversation),
        object_id=pairing.conversation_id,
        operation="message.send",
        ordering_key="conversation:x",
        state=OperationState.FAILED,
    )
    PairingStep.objects.create(pairing=pairing, kind=StepKind.INVITE, state=StepState.FAILED, operation=op)
    Pairing.objects.filter(pk=pairing.pk).update(state=PairingState.FAILED, failed_from=PairingState.STARTING)
    response = admin_client.post(page(pairing, "retry"), follow=True)
    pairing.refresh_from_db()
    op.refresh_from_db()
    assert (pairing.state, op.state) == (PairingState.STARTING, OperationState.PENDING)
    assert any("1 failed step sent to Twilio again" in m for m in shown_messages(response))


def test_abandon_of_a_connected_pairing_is_refused_as_a_message(admin_client, pairing):
    response = admin_client.post(page(pairing, "abandon"), {"post": "yes"}, follow=True)
    assert any("close it instead" in m for m in shown_messages(response))
    pairing.refresh_from_db()
    assert pairing.state == PairingState.CONNECTED


def test_abandon_asks_first_then_deletes_the_conversation(admin_client, pairing, no_push):
    Pairing.objects.filter(pk=pairing.pk).update(state=PairingState.FAILED)
    assert "deletes the conversation" in admin_client.get(page(pairing, "abandon")).content.decode()
    admin_client.post(page(pairing, "abandon"), {"post": "yes"})
    pairing.refresh_from_db()
    assert pairing.state == PairingState.ABANDONED
    assert SyncOperation.objects.filter(operation="conversation.delete").exists()


def test_list_action_close_asks_then_closes(admin_client, pairing, no_push):
    url = reverse("admin:conversations_ops_pairing_changelist")
    selection = {"action": "close_selected", "_selected_action": [pairing.pk]}
    response = admin_client.post(url, selection)
    assert response.status_code == 200 and "Yes, close them" in response.content.decode()
    assert Pairing.objects.get().state == PairingState.CONNECTED
    response = admin_client.post(url, {**selection, "post": "yes"}, follow=True)
    assert Pairing.objects.get().state == PairingState.CLOSING
    assert any("1 closing" in m for m in shown_messages(response))


def test_pairing_actions_need_the_change_pairing_permission(client, pairing):
    user = User.objects.create_user("auditor", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_pairing"))
    client.force_login(user)
    assert client.get(page(pairing)).context["pairing_actions"] == []
    assert client.post(page(pairing, "close"), {"post": "yes"}).status_code == 403


# The conversation's page ---------------------------------------------------------


def test_conversation_page_links_its_pairing(admin_client, pairing, conversation):
    html = admin_client.get(
        reverse("admin:conversations_ops_conversation_change", args=[pairing.conversation.pk])
    ).content.decode()
    assert page(pairing) in html
    other = admin_client.get(reverse("admin:conversations_ops_conversation_change", args=[conversation.pk]))
    assert other.status_code == 200 and page(pairing) not in other.content.decode()
