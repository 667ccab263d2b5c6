"""Reassignment (issue 19, item 5): the conversation stays, the chat participant changes (queued), the
customer may get an introduction template, every move is one audit entry naming from, to and who; the
refusals say why by field; the old advisor loses access at once; `clienteling reassign` (exit 2, masking).

The conversations are set up as if their creation had been pushed (SIDs, synced); pushes that the
moves queue stay in the outbox (no Twilio here: the slow test_reassign_e2e.py has the simulator)."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conversations_ops.clienteling.reassign import Introduction, customer_reassign, customers_reassign_all
from conversations_ops.clienteling.selectors import customer_conversation, customers_visible_to
from conversations_ops.clienteling.services import customer_assign, customer_create
from conversations_ops.models import (
    AuditEntry,
    Conversation,
    Customer,
    Message,
    Participant,
    SyncOperation,
    Template,
)
from tests.helpers.clienteling import MANAGERS, advisor, sender, team
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP, make_sid
from tests.roles.staff import client_for, url

pytestmark = pytest.mark.django_db
ROBERT, ANN, OTTO = "whatsapp:+15017122661", "whatsapp:+15017122662", "+15017122664"
INTRO = {"1": "Robert", "2": "Bob"}


@pytest.fixture
def book():
    """alice owns Robert and Ann (WhatsApp) and Otto (SMS); bob is her colleague in mia's team Boutique;
    carol advises in team Outlet, which mia does not manage. Robert's and Ann's conversations are on Twilio."""
    whatsapp, sms = sender(BUSINESS_WHATSAPP), sender(BUSINESS_SMS)
    alice, bob, carol, mia = advisor("alice"), advisor("bob"), advisor("carol"), advisor("mia", group=MANAGERS)
    team("Boutique", senders=[whatsapp, sms], members=[alice, bob], managers=[mia])
    team("Outlet", members=[carol])
    rows = {
        name: customer_assign(customer_address=address, sender_address=via, advisor=alice)
        for name, address, via in (
            ("robert", ROBERT, BUSINESS_WHATSAPP),
            ("ann", ANN, BUSINESS_WHATSAPP),
            ("otto", OTTO, BUSINESS_SMS),
        )
    }
    for n, name in enumerate(("robert", "ann"), start=1):
        _on_twilio(rows[name], n)
    template = Template.objects.create(
        sid=make_sid("HX", 1),
        friendly_name="advisor_intro",
        language="en",
        approval_status="approved",
        types={"twilio/text": {"body": "Hello {{1}}, I'm {{2}}, your new personal shopper."}},
    )
    return {"alice": alice, "bob": bob, "carol": carol, "mia": mia, "intro": template, **rows}


def _on_twilio(customer: Customer, n: int) -> None:
    """As if the outbox had pushed the customer's conversation and both participants."""
    conversation = customer_conversation(customer)
    Conversation.objects.filter(pk=conversation.pk).update(sid=make_sid("CH", n), sync_state="synced")
    for i, participant in enumerate(conversation.participants.order_by("pk")):
        Participant.objects.filter(pk=participant.pk).update(sid=make_sid("MB", n * 10 + i), sync_state="synced")
    SyncOperation.objects.update(state="succeeded")


def _queued(conversation) -> list[tuple[str, str]]:
    """The pushes queued since the set-up, in order, with who they are about."""
    return [
        (op.operation, op.target.identity if op.operation.startswith("participant") else op.target.author)
        for op in SyncOperation.objects.filter(state="pending").order_by("id")
        if op.target is not None and op.target.conversation_id == conversation.pk
    ]


def test_a_move_keeps_the_conversation_swaps_the_chat_participant_and_introduces(book):
    conversation = customer_conversation(book["robert"])

    move = customer_reassign(
        customer=book["robert"],
        advisor=book["bob"],
        user=book["mia"],
        introduction=Introduction(content_sid=book["intro"].sid, variables=INTRO),
    )

    robert = Customer.objects.get(pk=book["robert"].pk)
    assert robert.advisor == book["bob"] and move.introduced and move.from_username == "alice"
    assert customer_conversation(robert) == conversation  # the same conversation, so the same history
    # Remove alice, add bob, then the introduction written as bob: in this order on Twilio.
    assert _queued(conversation) == [
        ("participant.remove", "alice"),
        ("participant.add", "bob"),
        ("message.send", "bob"),
    ]
    introduction = Message.objects.get(conversation=conversation, author="bob")
    assert introduction.content_sid == book["intro"].sid and '"2": "Bob"' in introduction.content_variables
    entry = AuditEntry.objects.get(action="clienteling.reassign")
    assert entry.actor == book["mia"]
    assert entry.detail["from"] == "alice" and entry.detail["to"] == "bob"
    assert entry.detail["conversation"] == conversation.sid and entry.detail["introduction"] == book["intro"].sid


def test_a_customer_without_an_open_conversation_only_changes_owner(book):
    otto = book["otto"]  # their conversation never reached Twilio: close it as if Twilio had
    Conversation.objects.filter(customer_link__customer=otto).update(state="closed")
    before = SyncOperation.objects.count()

    move = customer_reassign(customer=otto, advisor=book["bob"], user=book["mia"])

    assert Customer.objects.get(pk=otto.pk).advisor == book["bob"]
    assert move.conversation is None and not move.introduced
    assert SyncOperation.objects.count() == before  # nothing for Twilio
    assert AuditEntry.objects.get(action="clienteling.reassign").detail["conversation"] is None


def test_an_unassigned_customer_is_given_an_advisor(book):
    queued = customer_create(address="whatsapp:+15017122669", sender=book["robert"].sender)

    customer_reassign(customer=queued, advisor=book["bob"], user=book["mia"])

    assert Customer.objects.get(pk=queued.pk).advisor == book["bob"]
    assert AuditEntry.objects.get(action="clienteling.reassign").detail["from"] is None


def _inactive(book):
    User.objects.filter(pk=book["bob"].pk).update(is_active=False)
    return User.objects.get(pk=book["bob"].pk)


@pytest.mark.parametrize(
    ("target", "acting", "customer", "introduction", "field", "says"),
    [
        ("alice", "mia", "robert", None, "advisor", "already alice's"),
        ("mia", None, "robert", None, "advisor", "not in the Advisors group"),
        (_inactive, None, "robert", None, "advisor", "not an active staff account"),
        ("carol", "mia", "robert", None, "advisor", "not an advisor of a team you manage (Boutique)"),
        ("bob", "mia", "outlet", None, "customer", "not a customer of a team you manage"),
        ("bob", "mia", "robert", {"sid": "HXunknown"}, "introduction", "not in the console's template list"),
        ("bob", "mia", "robert", {"variables": {"1": "Robert"}}, "introduction", "2"),
        ("bob", "mia", "otto", {}, "introduction", "no open conversation to introduce"),
    ],
    ids=[
        "same-advisor",
        "not-an-advisor",
        "inactive",
        "manager-target-outside-teams",
        "manager-customer-outside-teams",
        "unknown-template",
        "missing-variable",
        "introduction-without-conversation",
    ],
)
def test_refusals_name_the_field_and_change_nothing(book, target, acting, customer, introduction, field, says):
    Conversation.objects.filter(customer_link__customer=book["otto"]).update(state="closed")
    if customer == "outlet":
        book["outlet"] = customer_assign(
            customer_address="whatsapp:+15017122668", sender_address=BUSINESS_WHATSAPP, advisor=book["carol"]
        )
    advisor = target(book) if callable(target) else book[target]
    intro = None
    if introduction is not None:
        intro = Introduction(
            content_sid=introduction.get("sid", book["intro"].sid), variables=introduction.get("variables", INTRO)
        )
    chosen = book[customer]
    owner_before = chosen.advisor
    operations_before = SyncOperation.objects.count()

    with pytest.raises(ValidationError) as refused:
        customer_reassign(customer=chosen, advisor=advisor, user=book[acting] if acting else None, introduction=intro)

    assert says in " ".join(refused.value.message_dict[field])
    assert Customer.objects.get(pk=chosen.pk).advisor == owner_before
    assert SyncOperation.objects.count() == operations_before
    assert not AuditEntry.objects.filter(action="clienteling.reassign").exists()


def test_the_old_advisor_loses_access_at_once(book):
    alice, bob = client_for(book["alice"]), client_for(book["bob"])
    robert = book["robert"]
    inbox_page = reverse("inbox:customer", args=[robert.pk])
    assert alice.get(url("customer", "change", robert.pk)).status_code == 200
    assert alice.get(inbox_page).status_code == 200

    customer_reassign(customer=robert, advisor=book["bob"], user=book["mia"])

    assert alice.get(url("customer", "change", robert.pk)).status_code == 403
    assert alice.get(inbox_page).status_code == 403  # the inbox asks the row rule on every request
    assert bob.get(inbox_page).status_code == 200
    assert f"Customer #{robert.pk}" not in alice.get(url("customer", "changelist")).content.decode()
    assert bob.get(url("customer", "change", robert.pk)).status_code == 200
    with pytest.raises(CommandError) as refused:
        call_command("clienteling", "show", "--customer", ROBERT, "--sender", BUSINESS_WHATSAPP, "--as", "alice")
    assert refused.value.returncode == 2 and "among those you may see" in str(refused.value)
    shown = StringIO()
    call_command(
        "clienteling", "show", "--customer", ROBERT, "--sender", BUSINESS_WHATSAPP, "--as", "bob", stdout=shown
    )
    assert "advisor bob" in shown.getvalue()


def test_a_whole_book_moves_each_customer_once_with_the_introduction_where_there_is_a_conversation(book):
    Conversation.objects.filter(customer_link__customer=book["otto"]).update(state="closed")
    ticks = []

    moved = customers_reassign_all(
        from_advisor=book["alice"],
        to_advisor=book["bob"],
        user=book["mia"],
        introduction=Introduction(content_sid=book["intro"].sid, variables=INTRO),
        progress=ticks.append,
    )

    assert len(moved.moves) == 3 and not moved.skipped and len(ticks) == 3
    assert not customers_visible_to(book["alice"]).exists()
    assert customers_visible_to(book["bob"]).count() == 3
    assert {m.customer.pk: m.introduced for m in moved.moves} == {
        book["robert"].pk: True,
        book["ann"].pk: True,
        book["otto"].pk: False,
    }
    assert AuditEntry.objects.filter(action="clienteling.reassign", actor=book["mia"]).count() == 3
    assert not Participant.objects.filter(identity="alice").exclude(sync_state="pending").exists()


def test_a_manager_may_not_move_the_book_of_an_advisor_outside_their_teams(book):
    with pytest.raises(ValidationError) as refused:
        customers_reassign_all(from_advisor=book["carol"], to_advisor=book["bob"], user=book["mia"])
    assert "carol is not an advisor of a team you manage" in refused.value.message_dict["from_advisor"][0]


# The command ---------------------------------------------------------------------------------


def reassign(*extra):
    out, err = StringIO(), StringIO()
    call_command("clienteling", "reassign", *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_moves_the_whole_book_and_masks_the_numbers(book):
    out, err = reassign("--from", "alice", "--to", "bob", "--as", "mia")

    assert "3 customers moved from alice to bob." in out
    assert f"Customer #{book['robert'].pk}" in out and "alice -> bob" in out
    assert "+15017122661" not in out and "+15017122664" not in out  # mia may not see whole numbers
    assert "customers" in err  # the progress bar
    assert Customer.objects.filter(advisor=book["bob"]).count() == 3


def test_the_command_moves_one_customer_with_an_introduction(book, admin_user):
    out, _ = reassign(
        "--from",
        "alice",
        "--to",
        "bob",
        "--customer",
        ROBERT,
        "--introduction",
        book["intro"].sid,
        "--variables",
        '{"1": "Robert", "2": "Bob"}',
        "--as",
        admin_user.username,
    )

    assert "1 customer moved" in out and "introduction sent" in out
    assert ROBERT in out  # a superuser sees whole numbers
    assert Customer.objects.get(pk=book["ann"].pk).advisor == book["alice"]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (("--from", "alice", "--to", "bob", "--as", "alice"), "may not reassign customers"),
        (("--from", "alice", "--to", "nobody", "--as", "mia"), "--to: no user 'nobody'"),
        (("--from", "alice", "--to", "alice", "--as", "mia"), "advisor: The customers are already alice's"),
        (("--from", "alice", "--to", "carol", "--as", "mia"), "not an advisor of a team you manage"),
        (
            ("--from", "bob", "--to", "alice", "--customer", ROBERT, "--as", "mia"),
            "no customer whatsapp:+15•••••2661 of bob",
        ),
        (("--from", "alice", "--to", "bob", "--introduction", "HX1", "--variables", "{", "--as", "mia"), "not JSON"),
    ],
    ids=["advisor-may-not", "unknown-target", "same", "outside-teams", "not-theirs", "bad-json"],
)
def test_command_refusals_exit_2_with_the_reason(book, extra, says):
    with pytest.raises(CommandError) as refused:
        reassign(*extra)
    assert refused.value.returncode == 2 and says in str(refused.value)
    assert "+15017122661" not in str(refused.value)
    assert Customer.objects.filter(advisor=book["alice"]).count() == 3


# The admin -----------------------------------------------------------------------------------

CHANGELIST = "/admin/conversations_ops/customer/"
BOOK_PAGE = "/admin/conversations_ops/customer/reassign-advisor/"


def _act(client, customers, **form):
    data = {"action": "reassign_selected", "_selected_action": [c.pk for c in customers], **form}
    return client.post(CHANGELIST, data)


def test_the_action_checks_previews_counts_then_moves(book):
    mia = client_for(book["mia"])
    chosen = [book["robert"], book["ann"]]
    form = {"advisor": book["bob"].pk, "introduction": book["intro"].pk, "variables": '{"1": "Robert", "2": "Bob"}'}

    asked = _act(mia, chosen).content.decode()
    assert "New advisor" in asked and "Confirm and reassign" not in asked
    checked = _act(mia, chosen, step="check", **form).content.decode()
    assert "2 customers move" in checked and "2 of them have an open conversation" in checked
    assert "Hello Robert, I&#x27;m Bob, your new personal shopper." in checked  # the preview
    assert "Confirm and reassign" in checked
    assert Customer.objects.filter(advisor=book["alice"]).count() == 3  # nothing moved yet

    done = _act(mia, chosen, step="reassign", **form)

    assert done.status_code == 302
    assert {c.pk for c in Customer.objects.filter(advisor=book["bob"])} == {c.pk for c in chosen}
    assert Message.objects.filter(author="bob", content_sid=book["intro"].sid).count() == 2


def test_the_action_shows_refusals_beside_the_field(book):
    mia = client_for(book["mia"])

    refused = _act(mia, [book["robert"]], step="reassign", advisor=book["carol"].pk).content.decode()

    assert "errorlist" in refused and "not an advisor of a team you manage" in refused
    assert Customer.objects.get(pk=book["robert"].pk).advisor == book["alice"]


def test_advisors_are_not_offered_reassignment(book):
    alice = client_for(book["alice"])
    assert "reassign_selected" not in alice.get(CHANGELIST).content.decode()
    assert alice.get(BOOK_PAGE).status_code == 403


def test_the_book_page_moves_all_of_an_advisors_customers(book):
    mia = client_for(book["mia"])
    Conversation.objects.filter(customer_link__customer=book["otto"]).update(state="closed")
    team_id = book["alice"].clienteling_memberships.get().team_id
    team_page = mia.get(f"/admin/conversations_ops/clientelingteam/{team_id}/change/").content.decode()
    assert f'reassign-advisor/?from={book["alice"].pk}">Move their customers' in team_page

    opened = mia.get(BOOK_PAGE, {"from": book["alice"].pk}).content.decode()
    assert "3 customers move" in opened
    form = {"from_advisor": book["alice"].pk, "advisor": book["bob"].pk}
    checked = mia.post(BOOK_PAGE, {**form, "step": "check"}).content.decode()
    assert "Confirm and reassign" in checked and "2 of them have an open conversation" in checked

    done = mia.post(BOOK_PAGE, {**form, "step": "reassign"})

    assert done.status_code == 302
    assert not Customer.objects.filter(advisor=book["alice"]).exists()
    assert AuditEntry.objects.filter(action="clienteling.reassign").count() == 3


def test_a_book_bigger_than_a_request_moves_in_a_worker(book, monkeypatch):
    from conversations_ops.clienteling import reassign

    queued = []
    monkeypatch.setattr(reassign, "BOOK_MOVE_INLINE_MAX", 2)  # alice's book of 3 is "big"
    monkeypatch.setattr(reassign, "async_task", lambda name, *args, **kw: queued.append((name, args)))
    monkeypatch.setattr("conversations_ops.admin.clienteling_reassign.BOOK_MOVE_INLINE_MAX", 2)
    mia = client_for(book["mia"])
    form = {"from_advisor": book["alice"].pk, "advisor": book["bob"].pk, "step": "reassign"}

    done = mia.post(BOOK_PAGE, form, follow=True)

    assert "Moving 3 customers from alice to bob in the background" in done.content.decode()
    assert Customer.objects.filter(advisor=book["alice"]).count() == 3  # nothing moved in the request
    [(name, args)] = queued
    assert name == "conversations_ops.tasks.clienteling_book_reassign"
    assert all(not isinstance(arg, str) or "+1501" not in arg for arg in args)  # no number in the broker

    from conversations_ops import tasks

    tasks.clienteling_book_reassign(*args)  # the worker
    assert not Customer.objects.filter(advisor=book["alice"]).exists()
    assert AuditEntry.objects.filter(action="clienteling.reassign", actor=book["mia"]).count() == 3


def test_a_queued_book_is_refused_in_the_request_with_the_reason(book, monkeypatch):
    monkeypatch.setattr("conversations_ops.admin.clienteling_reassign.BOOK_MOVE_INLINE_MAX", 0)
    mia = client_for(book["mia"])

    refused = mia.post(
        BOOK_PAGE, {"from_advisor": book["alice"].pk, "advisor": book["carol"].pk, "step": "reassign"}
    ).content.decode()

    assert "not an advisor of a team you manage" in refused
    assert Customer.objects.filter(advisor=book["alice"]).count() == 3
