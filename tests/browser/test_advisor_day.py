"""Done-when: an advisor's day in a real browser (Chromium). Alice logs in, finds the inbox from the
home page, sees only her customers, replies to one (the handset receives it), and a new message the
customer writes (injected through the simulator's handset control API) appears in the open
conversation and in the list without her reloading the page (htmx polling)."""

from io import StringIO

import pytest
from django.core.management import call_command

from conversations_ops.clienteling.selectors import clienteling_sender, customer_conversation
from conversations_ops.models import Customer, Participant, SyncState
from tests.browser.helpers import PASSWORD, log_in, screenshot
from tests.helpers.clienteling import advisor
from tests.helpers.pairings import CUSTOMER

pytestmark = pytest.mark.slow

OTHER_CUSTOMER = "whatsapp:+15017122670"


def _synced(conversation) -> bool:
    conversation.refresh_from_db()
    people = Participant.objects.filter(conversation=conversation)
    return bool(conversation.sid) and people.count() == 2 and not people.exclude(sync_state=SyncState.SYNCED).exists()


def test_an_advisor_replies_and_sees_new_messages_arrive_without_reloading(seeded, people, page, simulator):
    alice, bob = advisor("alice", password=PASSWORD), advisor("bob", password=PASSWORD)
    out = StringIO()
    call_command(
        "clienteling", "assign", "--customer", CUSTOMER, "--sender", seeded["sender"], "--advisor", "alice", stdout=out
    )
    mine = Customer.objects.get(pk=int(out.getvalue()))
    Customer.objects.filter(pk=mine.pk).update(name="Robert Blue")
    Customer.objects.create(
        name="Someone Else", whatsapp_address=OTHER_CUSTOMER, sender=clienteling_sender(seeded["sender"]), advisor=bob
    )
    people.wait_until(lambda: _synced(customer_conversation(mine)), "the conversation on Twilio")
    people.write(CUSTOMER, "Do you have the blue coat in M?")

    log_in(page, simulator.url, alice)
    page.click("#open-inbox")
    page.wait_for_selector("table.inbox-customers")
    listing = page.inner_text("#inbox-list")
    assert "Robert Blue" in listing and "Do you have the blue coat in M?" in listing
    assert "Someone Else" not in listing  # bob's customer
    screenshot(page, "inbox-advisor")

    page.click("text=Robert Blue")
    page.wait_for_selector("#inbox-transcript")
    page.fill("textarea[name=body]", "Yes, I kept one for you.")
    page.click("#inbox-send")
    page.wait_for_selector("text=Yes, I kept one for you.")
    people.wait_until(lambda: "Yes, I kept one for you." in people.received(CUSTOMER), "the reply on the handset")

    page.evaluate("window.stillTheSamePage = true")  # a reload would forget it
    people.handset.tick(3)
    people.handset.send(CUSTOMER, seeded["sender"], "Perfect, I'll come by at five")
    page.wait_for_selector("#inbox-transcript >> text=Perfect, I'll come by at five", timeout=30_000)
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot(page, "inbox-conversation")

    page.click("text=Inbox")  # the breadcrumb
    page.evaluate("window.stillTheSamePage = true")
    people.handset.tick(3)
    people.handset.send(CUSTOMER, seeded["sender"], "Oh, and in green too?")
    page.wait_for_selector("#inbox-list >> text=Oh, and in green too?", timeout=30_000)
    assert page.evaluate("window.stillTheSamePage") is True
