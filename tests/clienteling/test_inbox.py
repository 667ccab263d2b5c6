"""The advisor's inbox (/admin/inbox/): the row rule on every URL, who waits longest first, unread
counts reset by the owner reading, window labels and markers, masking, and the reply box (free-form
inside the window, refused with the reason outside it, templates with variables, outreach).

Messages reach the mirror as Twilio delivers them (signed webhook events), so the customer's
activity is the appliers' doing, as in production."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from conversations_ops.models import (
    Conversation,
    Customer,
    Direction,
    Message,
    SyncOperation,
)
from conversations_ops.twilio import gateway
from tests.helpers.clienteling import MANAGERS, advisor, sender, team
from tests.helpers.ids import BUSINESS_WHATSAPP
from tests.helpers.inbox import linked_customer, number, said
from tests.roles.staff import AUDITOR, OPS, client_for, staff_user

pytestmark = pytest.mark.django_db

INBOX = reverse("inbox:list")


def customer_url(customer, view: str = "customer") -> str:
    return reverse(f"inbox:{view}", args=[customer.pk])


@pytest.fixture
def whatsapp():
    return sender(BUSINESS_WHATSAPP)


@pytest.fixture
def alice():
    return advisor("alice")


@pytest.fixture
def alice_page(alice):
    return client_for(alice)


def listed(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


# The list ------------------------------------------------------------------------------------------


def test_who_waits_longest_comes_first_then_the_rest_by_last_message(client, whatsapp, alice, alice_page):
    answered_recently, waiting_short, waiting_long, quiet = (
        linked_customer(whatsapp, alice, n, name=name)
        for n, name in enumerate(("Answered", "Waiting 5 min", "Waiting 2 h", "Quiet"), start=1)
    )
    said(client, answered_recently, minutes_ago=20)
    said(client, answered_recently, minutes_ago=10, by="alice", body="On it")
    said(client, waiting_short, minutes_ago=5)
    said(client, waiting_long, minutes_ago=120)
    said(client, quiet, minutes_ago=600, by="alice", body="Your order is ready")

    response = alice_page.get(INBOX)

    assert response.status_code == 200
    assert listed(response) == ["Waiting 2 h", "Waiting 5 min", "Answered", "Quiet"]
    rows = {row.name: row for row in response.context["rows"]}
    assert rows["Waiting 2 h"].needs_reply and not rows["Waiting 5 min"].needs_reply  # default: 30 minutes
    assert not rows["Answered"].needs_reply and rows["Answered"].preview == "On it"


@override_settings(CLIENTELING_NEEDS_REPLY_MINUTES=3)
def test_the_needs_reply_threshold_is_a_setting(client, whatsapp, alice, alice_page):
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=5)

    assert alice_page.get(INBOX).context["rows"][0].needs_reply
    assert listed(alice_page.get(INBOX + "?show=needs_reply")) == ["Customer 1"]


def test_unread_counts_until_the_owner_opens_the_conversation(client, whatsapp, alice, alice_page):
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=3, body="Do you have it in blue?")
    said(client, customer, minutes_ago=2, body="Size M")
    manager = advisor("mia", group=MANAGERS)
    team("Boutique", members=[alice], managers=[manager])

    assert alice_page.get(INBOX).context["rows"][0].unread == 2
    client_for(manager).get(customer_url(customer))  # a manager looking is not the owner reading
    customer.refresh_from_db()
    assert customer.unread_count == 2

    alice_page.get(customer_url(customer))

    customer.refresh_from_db()
    assert customer.unread_count == 0
    said(client, customer, minutes_ago=0, body="Hello again")
    assert alice_page.get(INBOX).context["rows"][0].unread == 1


def test_a_reassigned_customer_keeps_their_unread_messages_for_the_new_owner(client, whatsapp, alice):
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=2)
    bob = advisor("bob")
    Customer.objects.filter(pk=customer.pk).update(advisor=bob)  # as reassignment leaves the row

    assert client_for(bob).get(INBOX).context["rows"][0].unread == 1
    assert client_for(alice).get(customer_url(customer)).status_code == 403  # at once: the rule is a query


def test_window_labels_and_the_closing_marker(client, whatsapp, alice, alice_page):
    open_long, closing, closed, never = (linked_customer(whatsapp, alice, n) for n in (1, 2, 3, 4))
    said(client, open_long, minutes_ago=10)
    said(client, closing, minutes_ago=23 * 60)
    said(client, closed, minutes_ago=25 * 60)

    rows = {row.customer.pk: row for row in alice_page.get(INBOX).context["rows"]}

    until = timezone.localtime(Message.objects.get(conversation__customer_link__customer=open_long).date_created)
    assert (
        rows[open_long.pk].window.label == f"Free-form until {(until + timedelta(hours=24)):%b %d %H:%M}"
        or rows[open_long.pk].window.label == f"Free-form until {(until + timedelta(hours=24)):%H:%M}"
    )
    assert not rows[open_long.pk].window.closing_soon
    assert rows[closing.pk].window.free_form and rows[closing.pk].window.closing_soon
    assert rows[closed.pk].window.label == "Template only"
    assert rows[never.pk].window.label == "Template only"
    assert listed(alice_page.get(INBOX + "?show=closing")) == ["Customer 2"]


def test_an_sms_customer_has_no_window(alice, alice_page):
    sms = sender("+14155550199")
    Customer.objects.create(name="Texter", sms_address="+15017120001", sender=sms, advisor=alice)

    assert alice_page.get(INBOX).context["rows"][0].window.label == "Free-form (SMS: no window)"


def test_numbers_are_masked_unless_the_viewer_may_see_them(client, whatsapp, alice, alice_page, admin_client):
    customer = linked_customer(whatsapp, alice, 1, name="Call me on +15017129999")
    said(client, customer, minutes_ago=1, body="My other number is +15017128888")

    for page in (alice_page.get(INBOX), alice_page.get(customer_url(customer))):
        text = page.content.decode()
        assert "+15017120001" not in text and "+15017129999" not in text and "+15017128888" not in text
        assert "•" in text
    assert "+15017128888" in admin_client.get(customer_url(customer)).content.decode()


def test_the_list_costs_the_same_queries_for_5_and_50_customers(client, whatsapp, alice, alice_page):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_page.get(INBOX).status_code == 200
        return len(captured)

    for n in range(1, 6):
        said(client, linked_customer(whatsapp, alice, n), minutes_ago=n)
    five = queries()
    for n in range(6, 51):
        said(client, linked_customer(whatsapp, alice, n), minutes_ago=n)

    assert queries() == five


# The row rule --------------------------------------------------------------------------------------


def test_an_advisor_sees_only_their_customers_and_gets_403_for_anothers_on_every_url(whatsapp, alice, alice_page):
    mine, theirs = linked_customer(whatsapp, alice, 1, name="Mine"), linked_customer(whatsapp, advisor("bob"), 2)

    assert listed(alice_page.get(INBOX)) == ["Mine"]
    for url in (customer_url(theirs), customer_url(theirs, "transcript")):
        assert alice_page.get(url).status_code == 403
    assert alice_page.post(customer_url(theirs), {"mode": "free_form", "body": "hi"}).status_code == 403
    assert alice_page.get(customer_url(mine, "transcript")).status_code == 200
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_manager_sees_their_teams_customers_and_filters_by_advisor(whatsapp, alice):
    bob, manager = advisor("bob"), advisor("mia", group=MANAGERS)
    team("Boutique", members=[alice, bob], managers=[manager])
    linked_customer(whatsapp, alice, 1, name="Alice's")
    linked_customer(whatsapp, bob, 2, name="Bob's")
    linked_customer(whatsapp, advisor("carol"), 3, name="Carol's")  # another team
    page = client_for(manager)

    assert sorted(listed(page.get(INBOX))) == ["Alice's", "Bob's"]
    assert listed(page.get(f"{INBOX}?advisor={bob.pk}")) == ["Bob's"]


def test_an_auditor_reads_every_customer_but_cannot_reply(whatsapp, alice):
    customer = linked_customer(whatsapp, alice, 1)
    auditor = client_for(staff_user(AUDITOR))

    assert listed(auditor.get(INBOX)) == ["Customer 1"]
    page = auditor.get(customer_url(customer))
    assert page.status_code == 200 and not page.context["may_reply"]
    assert auditor.post(customer_url(customer), {"mode": "free_form", "body": "hi"}).status_code == 403


def test_staff_who_may_not_see_customers_get_403(whatsapp, alice):
    customer = linked_customer(whatsapp, alice, 1)
    support = client_for(staff_user("Support"))

    for url in (INBOX, customer_url(customer), customer_url(customer, "transcript")):
        assert support.get(url).status_code == 403


def test_htmx_polling_gets_the_partials(client, whatsapp, alice, alice_page):
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=1, body="Anyone there?")

    listing = alice_page.get(INBOX, headers={"HX-Request": "true"})
    transcript = alice_page.get(customer_url(customer, "transcript"), headers={"HX-Request": "true"})

    assert [t.name for t in listing.templates][0] == "clienteling/inbox_list.html"
    assert "<html" not in listing.content.decode() and "Anyone there?" in listing.content.decode()
    assert "<html" not in transcript.content.decode() and "Anyone there?" in transcript.content.decode()
    assert 'hx-trigger="every 5s"' in alice_page.get(INBOX).content.decode()


# Replying ------------------------------------------------------------------------------------------


def test_a_free_form_reply_inside_the_window_is_queued_as_the_advisor(client, whatsapp, alice, alice_page):
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=5)

    response = alice_page.post(customer_url(customer), {"mode": "free_form", "body": "It comes in blue, yes."})

    assert response.status_code == 302, response.content.decode()[-3000:]
    message = Message.objects.get(direction=Direction.OUTBOUND)
    assert (message.author, message.body, message.sync_state) == ("alice", "It comes in blue, yes.", "pending")
    assert SyncOperation.objects.filter(operation="message.send").count() == 1
    customer.refresh_from_db()
    assert customer.awaiting_reply_since is None and customer.last_message_preview == "It comes in blue, yes."


def test_free_form_outside_the_window_is_refused_with_the_reason_and_only_templates_are_offered(
    client, whatsapp, alice, alice_page, template
):
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=25 * 60)

    page = alice_page.get(customer_url(customer))
    response = alice_page.post(customer_url(customer), {"mode": "free_form", "body": "Still there?"})

    assert page.context["form"].templates_only and 'name="body"' not in page.content.decode()
    assert "Template only" in page.content.decode()
    assert response.status_code == 200
    error = " ".join(response.context["form"].non_field_errors())
    assert "Free-form is refused" in error and "63016" in error and template.sid in error
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_template_with_its_variables_is_previewed_then_sent(client, whatsapp, alice, alice_page, template):
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=25 * 60)
    form = {"mode": "template", "template": template.pk, "var_1": "Robert"}

    preview = alice_page.post(customer_url(customer), {**form, "action": "preview"})
    missing = alice_page.post(customer_url(customer), {"mode": "template", "template": template.pk, "var_1": ""})
    sent = alice_page.post(customer_url(customer), {**form, "confirmed": "on", "action": "send"})

    assert preview.context["preview"] == "Hello Robert, your courier is here."
    assert missing.status_code == 200 and missing.context["form"].errors.get("var_1")
    assert sent.status_code == 302
    message = Message.objects.get(direction=Direction.OUTBOUND)
    assert (message.content_sid, message.content_variables) == (template.sid, '{"1": "Robert"}')
    assert message.author == "alice"


def test_outreach_starts_the_conversation_with_a_template(whatsapp, alice, alice_page, template):
    customer = Customer.objects.create(name="New", whatsapp_address=number(7), sender=whatsapp, advisor=alice)

    page = alice_page.get(customer_url(customer))
    refused = alice_page.post(customer_url(customer), {"mode": "free_form", "body": "Hi"})
    previewed = alice_page.post(
        customer_url(customer), {"mode": "template", "template": template.pk, "var_1": "Ana", "action": "preview"}
    )
    assert not Conversation.objects.exists()  # nothing starts before the advisor confirms
    sent = alice_page.post(
        customer_url(customer), {"mode": "template", "template": template.pk, "var_1": "Ana", "confirmed": "on"}
    )

    assert page.context["outreach"] and "Start an outreach" in page.content.decode()
    assert "no conversation yet: start one with an approved template" in " ".join(
        refused.context["form"].non_field_errors()
    )
    assert previewed.context["preview"] == "Hello Ana, your courier is here."
    assert sent.status_code == 302, sent.content.decode()[-3000:]
    conversation = Conversation.objects.get(customer_link__customer=customer)
    assert set(conversation.participants.values_list("identity", flat=True)) == {"", "alice"}
    message = Message.objects.get(conversation=conversation)
    assert (message.content_sid, message.author) == (template.sid, "alice")
    operations = list(SyncOperation.objects.order_by("id").values_list("operation", flat=True))
    assert operations[0] == "conversation.create" and operations[-1] == "message.send"


def test_an_ops_member_may_reply_an_advisor_manager_without_send_rights_only_reads(client, whatsapp, alice):
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=5)
    manager = advisor("mia", group=MANAGERS)
    team("Boutique", members=[alice], managers=[manager])

    ops = staff_user(OPS)
    ops.groups.add(*manager.groups.all())  # an Ops member who also manages the team
    team("Second shift", members=[alice], managers=[ops])

    assert not client_for(manager).get(customer_url(customer)).context["may_reply"]
    assert client_for(manager).post(customer_url(customer), {"mode": "free_form", "body": "x"}).status_code == 403
    assert client_for(ops).get(customer_url(customer)).context["may_reply"]


# The home page -------------------------------------------------------------------------------------


def test_the_home_page_panel_counts_the_viewers_customers(client, whatsapp, alice, alice_page):
    said(client, linked_customer(whatsapp, alice, 1), minutes_ago=45)
    said(client, linked_customer(whatsapp, alice, 2), minutes_ago=23 * 60)  # also waiting: needs reply too
    said(client, linked_customer(whatsapp, advisor("bob"), 3), minutes_ago=45)  # not hers

    page = alice_page.get(reverse("admin:index")).content.decode()

    assert 'id="needs-reply"' in page and f'href="{INBOX}"' in page
    assert '<strong class="attention-count">2</strong> wrote last' in page
    assert '<strong class="attention-count">1</strong> WhatsApp windows close' in page
    assert 'id="inbox-link"' in page


def test_staff_without_customers_see_no_panel():
    page = client_for(staff_user(OPS)).get(reverse("admin:index")).content.decode()

    assert 'id="needs-reply"' not in page and 'id="inbox-link"' not in page


def test_a_file_goes_to_the_media_content_service_and_the_reply_names_it(client, whatsapp, alice, alice_page):
    customer = linked_customer(whatsapp, alice, 1)
    Conversation.objects.filter(customer_link__customer=customer).update(chat_service_sid="IS" + "5e" * 16)
    said(client, customer, minutes_ago=5)
    photo = SimpleUploadedFile("coat.jpg", b"\xff\xd8\xff jpeg bytes", content_type="image/jpeg")

    with mock.patch.object(gateway, "media_upload", return_value="ME" + "ab" * 16) as upload:
        response = alice_page.post(customer_url(customer), {"mode": "free_form", "body": "", "media": photo})

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert upload.call_args.kwargs["chat_service_sid"] == "IS" + "5e" * 16
    assert upload.call_args.kwargs["content_type"] == "image/jpeg" and upload.call_args.kwargs["filename"] == "coat.jpg"
    message = Message.objects.get(direction=Direction.OUTBOUND)
    assert (message.media_sid, message.body, message.author) == ("ME" + "ab" * 16, "", "alice")


def test_a_refused_upload_is_explained_beside_the_file_and_nothing_is_sent(client, whatsapp, alice, alice_page):
    customer = linked_customer(whatsapp, alice, 1)
    Conversation.objects.filter(customer_link__customer=customer).update(chat_service_sid="IS" + "5e" * 16)
    said(client, customer, minutes_ago=5)
    photo = SimpleUploadedFile("coat.jpg", b"bytes", content_type="image/jpeg")
    refused = gateway.GatewayError(status=400, code=20001, kind="refused", message="Invalid media")

    with mock.patch.object(gateway, "media_upload", side_effect=refused):
        response = alice_page.post(customer_url(customer), {"mode": "free_form", "body": "Look", "media": photo})

    errors = response.context["form"].errors["media"]
    assert response.status_code == 200 and "The file was not uploaded" in errors[0] and "Invalid media" in errors[0]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_files_go_with_free_form_only(client, whatsapp, alice, alice_page, template):
    customer = linked_customer(whatsapp, alice, 1)
    said(client, customer, minutes_ago=5)
    photo = SimpleUploadedFile("coat.jpg", b"bytes", content_type="image/jpeg")

    response = alice_page.post(
        customer_url(customer), {"mode": "template", "template": template.pk, "var_1": "Ana", "media": photo}
    )

    assert "attach files to a free-form message" in response.context["form"].errors["media"][0]
