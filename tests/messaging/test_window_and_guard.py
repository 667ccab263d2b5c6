from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from conversations_ops.messaging import window as message_window
from conversations_ops.messaging.window import conversation_windows
from conversations_ops.models import Conversation, DeliveryReceipt, Message, MessagingInbound, Participant, Template
from conversations_ops.services.messages import message_send_check
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP, COURIER_SMS, CUSTOMER_WHATSAPP, make_sid

pytestmark = pytest.mark.django_db


def _inbound(conversation, author, at, n):
    return Message.objects.create(
        conversation=conversation,
        sid=make_sid("IM", n),
        index=n,
        author=author,
        body="hi",
        direction="inbound",
        date_created=at,
    )


@pytest.fixture
def courier(conversation):
    return Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB", 2),
        messaging_binding_type="sms",
        messaging_binding_address=COURIER_SMS,
        messaging_binding_proxy_address=BUSINESS_SMS,
    )


def test_the_window_runs_24_hours_from_the_newest_inbound_message_of_that_participant(participant, courier):
    conversation, now = participant.conversation, timezone.now()
    _inbound(conversation, CUSTOMER_WHATSAPP, now - timedelta(hours=30), 1)
    newest = now - timedelta(hours=3)
    _inbound(conversation, CUSTOMER_WHATSAPP, newest, 2)
    _inbound(conversation, COURIER_SMS, now - timedelta(hours=1), 3)  # someone else's message opens nothing
    whatsapp, sms = conversation_windows(conversation=conversation, now=now)
    assert (whatsapp.participant, whatsapp.limited, whatsapp.last_inbound_at) == (participant, True, newest)
    assert whatsapp.open_until == newest + timedelta(hours=24) and whatsapp.free_form_allowed
    assert (sms.participant, sms.limited, sms.free_form_allowed) == (courier, False, True)

    later = conversation_windows(conversation=conversation, now=newest + timedelta(hours=24, seconds=1))
    assert [w.free_form_allowed for w in later] == [False, True]


def test_outbound_messages_and_a_person_who_never_wrote_open_no_window(participant):
    Message.objects.create(
        conversation=participant.conversation,
        author=CUSTOMER_WHATSAPP,
        body="x",
        direction="outbound",
        date_created=timezone.now(),
    )
    (window,) = conversation_windows(conversation=participant.conversation)
    assert (window.last_inbound_at, window.free_form_allowed) == (None, False)
    assert "never written" in window.explanation


def test_free_form_outside_the_window_is_refused_offering_the_approved_templates(participant, template):
    Template.objects.create(
        sid=make_sid("HX", 2),
        friendly_name="old_promo",
        language="en",
        types={"twilio/text": {"body": "Hi"}},
        approval_status="paused",
    )
    (reason,) = message_send_check(conversation=participant.conversation, body="Are you there?")
    assert "63016" in reason and CUSTOMER_WHATSAPP in reason
    assert f"courier_invite ({template.sid})" in reason and "old_promo" not in reason
    assert message_send_check(conversation=participant.conversation, template=template, variables={"1": "Ana"}) == []


def _with_customer(n, *, proxy=BUSINESS_WHATSAPP, state="active", person=CUSTOMER_WHATSAPP):
    conversation = Conversation.objects.create(sid=make_sid("CH", n), unique_name=f"order-{n}", state=state)
    Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB", n),
        messaging_binding_type="whatsapp",
        messaging_binding_address=person,
        messaging_binding_proxy_address=proxy,
    )
    return conversation


def test_a_message_in_another_conversation_with_the_same_number_opens_the_window_here(participant):
    # Yesterday's conversation, closed since: the person wrote to the same business number there.
    yesterday = _with_customer(10, state="closed")
    wrote = timezone.now() - timedelta(hours=20)
    _inbound(yesterday, CUSTOMER_WHATSAPP, wrote, 50)
    (window,) = conversation_windows(conversation=participant.conversation)
    assert (window.last_inbound_at, window.free_form_allowed) == (wrote, True)
    assert BUSINESS_WHATSAPP in window.explanation and "any conversation" in window.explanation
    assert message_send_check(conversation=participant.conversation, body="Your rider is here") == []


def test_a_message_to_another_business_number_opens_nothing_here(participant):
    other = _with_customer(11, proxy="whatsapp:+14155550999")
    _inbound(other, CUSTOMER_WHATSAPP, timezone.now() - timedelta(hours=1), 51)
    (window,) = conversation_windows(conversation=participant.conversation)
    assert (window.last_inbound_at, window.free_form_allowed) == (None, False)
    (reason,) = message_send_check(conversation=participant.conversation, body="Hi")
    assert "63016" in reason and f"never written to {BUSINESS_WHATSAPP}" in reason


def test_a_message_on_the_numbers_messaging_webhook_opens_the_window(participant):
    wrote = timezone.now() - timedelta(hours=5)
    MessagingInbound.objects.create(
        message_sid=make_sid("SM"), from_address=CUSTOMER_WHATSAPP, to_address=BUSINESS_WHATSAPP, received_at=wrote
    )
    MessagingInbound.objects.create(  # someone else's, and to another number: neither counts
        message_sid=make_sid("SM", 2),
        from_address="whatsapp:+15017122000",
        to_address=BUSINESS_WHATSAPP,
        received_at=timezone.now(),
    )
    (window,) = conversation_windows(conversation=participant.conversation)
    assert (window.last_inbound_at, window.free_form_allowed) == (wrote, True)


def test_the_newest_message_counts_whichever_source_holds_it(participant):
    conversation = participant.conversation
    _inbound(conversation, CUSTOMER_WHATSAPP, timezone.now() - timedelta(hours=30), 1)
    newest = timezone.now() - timedelta(hours=2)
    _inbound(_with_customer(12), CUSTOMER_WHATSAPP, newest, 52)
    MessagingInbound.objects.create(
        message_sid=make_sid("SM"),
        from_address=CUSTOMER_WHATSAPP,
        to_address=BUSINESS_WHATSAPP,
        received_at=timezone.now() - timedelta(hours=10),
    )
    (window,) = conversation_windows(conversation=conversation)
    assert window.last_inbound_at == newest and window.open_until == newest + timedelta(hours=24)


def test_the_windows_of_a_conversation_take_three_queries_whatever_its_size(
    participant, courier, django_assert_num_queries
):
    conversation = participant.conversation
    for n in range(5):
        address = f"whatsapp:+1501712270{n}"
        Participant.objects.create(
            conversation=conversation,
            sid=make_sid("MB", 20 + n),
            messaging_binding_type="whatsapp",
            messaging_binding_address=address,
            messaging_binding_proxy_address=BUSINESS_WHATSAPP,
        )
        _inbound(_with_customer(30 + n, person=address), address, timezone.now() - timedelta(hours=n), 60 + n)
    # The participants, the conversations' inbound messages, the Messaging webhook's.
    with django_assert_num_queries(3):
        windows = conversation_windows(conversation=conversation)
    assert [w.free_form_allowed for w in windows] == [False, True, True, True, True, True, True]


def test_sms_only_conversations_are_not_limited(courier):
    assert message_send_check(conversation=courier.conversation, body="Your parcel is here") == []


def test_unusable_unknown_templates_and_bad_variables_are_refused(participant, template):
    conversation = participant.conversation
    Template.objects.filter(pk=template.pk).update(approval_status="rejected", approval_rejection_reason="spam")
    template.refresh_from_db()
    (reason,) = message_send_check(conversation=conversation, template=template, variables={"1": "Ana"})
    assert "rejected" in reason and "spam" in reason
    assert "not in the console" in message_send_check(conversation=conversation, content_sid=make_sid("HX", 9))[0]
    Template.objects.filter(pk=template.pk).update(approval_status="approved")
    template.refresh_from_db()
    assert "{{1}}" in message_send_check(conversation=conversation, template=template, variables={})[0]


def _send_page(conversation):
    return reverse("admin:conversations_ops_conversation_send", args=[conversation.pk])


def test_the_change_page_links_to_the_send_page_which_shows_each_window(admin_client, participant, courier):
    conversation = participant.conversation
    _inbound(conversation, CUSTOMER_WHATSAPP, timezone.now() - timedelta(hours=2), 1)
    change = admin_client.get(reverse("admin:conversations_ops_conversation_change", args=[conversation.pk]))
    assert _send_page(conversation) in change.content.decode()
    page = admin_client.get(_send_page(conversation))
    windows = page.context["windows"]
    assert [(w.participant, w.free_form_allowed) for w in windows] == [(participant, True), (courier, True)]
    assert "Free-form allowed until" in page.content.decode()


def test_the_send_page_sends_free_form_inside_the_window(admin_client, participant):
    conversation = participant.conversation
    _inbound(conversation, CUSTOMER_WHATSAPP, timezone.now() - timedelta(hours=2), 1)
    response = admin_client.post(_send_page(conversation), {"mode": "free_form", "body": "On my way", "action": "send"})
    assert response.status_code == 302
    assert Message.objects.get(direction="outbound").body == "On my way"


def test_the_send_page_refuses_free_form_outside_the_window(admin_client, participant, template):
    conversation = participant.conversation
    _inbound(conversation, CUSTOMER_WHATSAPP, timezone.now() - timedelta(hours=25), 1)
    response = admin_client.post(_send_page(conversation), {"mode": "free_form", "body": "Hello?", "action": "send"})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "Free-form is refused" in errors and template.sid in errors
    assert not Message.objects.filter(direction="outbound").exists()


def test_a_template_send_previews_then_confirms(admin_client, participant, template):
    conversation = participant.conversation
    data = {"mode": "template", "template": template.pk, "var_1": "Robert O'Neil", "action": "preview"}
    preview = admin_client.post(_send_page(conversation), data)
    assert preview.context["preview"] == "Hello Robert O'Neil, your courier is here."
    assert not Message.objects.exists()
    confirm = admin_client.post(_send_page(conversation), {**data, "confirmed": "True", "action": "send"})
    assert confirm.status_code == 302
    message = Message.objects.get()
    assert (message.content_sid, message.body) == (template.sid, "")
    assert message.content_variables == '{"1": "Robert O\'Neil"}'


def test_the_send_page_names_the_placeholder_in_error(admin_client, participant, template):
    data = {"mode": "template", "template": template.pk, "var_1": "", "action": "preview"}
    response = admin_client.post(_send_page(participant.conversation), data)
    assert "{{1}}" in str(response.context["form"].errors["var_1"])


def test_the_command_exits_2_with_the_reason_outside_the_window_and_0_with_a_template(participant, template, capsys):
    conversation = participant.conversation
    with pytest.raises(CommandError) as excinfo:
        call_command("message_send", "--conversation", conversation.unique_name, "--body", "Hello?")
    assert excinfo.value.returncode == 2 and "24 hours" in str(excinfo.value)
    call_command(
        "message_send",
        "--conversation",
        conversation.sid,
        "--template",
        template.sid,
        "--variables",
        '{"1": "Ana \\"the\\" O\'Neil"}',
    )
    message = Message.objects.get()
    assert message.content_sid == template.sid and "Queued" in capsys.readouterr().out


def test_the_command_refuses_bad_variables_and_unknown_conversations(participant, template):
    for args in (
        ["--conversation", "order-a123", "--template", template.sid, "--variables", "{bad"],
        ["--conversation", "order-a123", "--template", template.sid, "--variables", '{"2": "x"}'],
        ["--conversation", "nope", "--body", "hi"],
    ):
        with pytest.raises(CommandError) as excinfo:
            call_command("message_send", *args)
        assert excinfo.value.returncode == 2
    assert not Message.objects.exists()


def test_failed_messages_list_explains_63016_and_offers_the_actions(admin_client, participant):
    message = Message.objects.create(conversation=participant.conversation, sid=make_sid("IM"), body="Hi?")
    DeliveryReceipt.objects.create(
        message=message, sid=make_sid("DY"), status="failed", error_code=63016, participant_sid=participant.sid
    )
    Message.objects.create(conversation=participant.conversation, sid=make_sid("IM", 2), body="fine")
    listing = admin_client.get(reverse("admin:conversations_ops_message_changelist") + "?delivery=failed")
    assert [m.pk for m in listing.context["cl"].result_list] == [message.pk]
    page = admin_client.get(reverse("admin:conversations_ops_message_change", args=[message.pk])).content.decode()
    assert "Outside the WhatsApp 24-hour window" in page and "Send an approved template" in page
    assert CUSTOMER_WHATSAPP in page  # the recipient, by address

    action = {"action": "send_template_instead", "_selected_action": [message.pk]}
    response = admin_client.post(reverse("admin:conversations_ops_message_changelist"), action)
    assert response.status_code == 302 and response.url == _send_page(participant.conversation) + "?mode=template"
    # Resend is guarded: still outside the window, so nothing new.
    admin_client.post(
        reverse("admin:conversations_ops_message_changelist"), {"action": "resend", "_selected_action": [message.pk]}
    )
    assert Message.objects.count() == 2


def test_the_window_clock_is_one_function(monkeypatch, participant):
    # The end-to-end test moves it together with the simulator's clock.
    _inbound(participant.conversation, CUSTOMER_WHATSAPP, timezone.now(), 1)
    monkeypatch.setattr(message_window, "window_now", lambda: timezone.now() + timedelta(hours=25))
    assert [w.free_form_allowed for w in conversation_windows(conversation=participant.conversation)] == [False]
