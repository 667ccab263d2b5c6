"""Done-when: the console in a real browser (Chromium), one staff member of each role.

- every role logs in and lands on the home page with what it may use;
- Support creates a WhatsApp address configuration and sees it synced with Twilio;
- Ops runs a pairing end to end while the customer and the courier use the
  simulator's handset page;
- an Auditor cannot send, sees numbers masked and downloads an export.
"""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations_ops.models import AddressConfiguration, Conversation, Message, Pairing, Participant, Template
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.services.account_webhooks import account_webhooks_configure
from simulator.engine import owned
from simulator.management.commands.simulator_seed import BUSINESS_WHATSAPP
from tests.browser.helpers import log_in, screenshot, staff_member
from tests.dashboard.helpers import Rows
from tests.helpers.ids import make_sid

pytestmark = pytest.mark.slow

CUSTOMER, COURIER = "whatsapp:+15017122661", "whatsapp:+15017122662"


def reload_until(page, text: str, tries: int = 30) -> None:
    """The worker settles pushes and webhooks in the background; staff press reload."""
    for _ in range(tries):
        if text in page.content():
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError(f"{text!r} never appeared on {page.url}")


@pytest.mark.parametrize(
    ("role", "may_add", "may_not"),
    [
        ("Support", "Address configurations", "Pairings"),
        ("Ops", "Pairings", "Address configurations"),
        ("Auditor", None, "Pairings"),
    ],
)
def test_each_role_logs_in_and_sees_what_it_may_do(simulator, page, role, may_add, may_not):
    log_in(page, simulator.url, staff_member(role))
    assert "Needs attention" in page.content() or "All clear" in page.content()
    rows = {
        row.query_selector("th").inner_text().strip(): row.query_selector("a.addlink") is not None
        for row in page.query_selector_all("#content-main .module tr[class^=model-]")
    }
    if may_add:
        assert rows[may_add], rows
    adds = [name for name, can_add in rows.items() if can_add]
    if role == "Auditor":
        assert adds == [], adds  # reads everything, changes nothing
    else:
        assert may_not not in adds
    # The home pages' screenshots are taken by test_task_first_pages.py, with work waiting.


def test_ops_sees_what_needs_attention_and_the_charts(simulator, page):
    """The home page with a fortnight of traffic, some of it failed, as staff find it in the morning."""
    rows = Rows()
    conversation = rows.conversation(unique_name="order-41")
    now = timezone.now()
    for day in range(14):
        for n in range(3 + (day * 5) % 7):
            message = rows.message(
                conversation=conversation,
                direction="inbound" if n % 2 else "outbound",
                date_created=now - timedelta(days=day, hours=n),
            )
            if n == 0 and day % 3 == 0:
                rows.receipts(message=message, date_updated=message.date_created)
    rows.failed_operations(2, code=50416, status=400)
    sender = AddressConfiguration.objects.create(
        type="whatsapp", address=BUSINESS_WHATSAPP, sid=make_sid("IG", 41), sync_state="synced"
    )
    rows.pairing(state="failed", sender=sender)
    log_in(page, simulator.url, staff_member("Ops"))

    assert page.inner_text("#attention-failed_pushes .attention-count") == "2"
    assert "50416" in page.inner_text("#attention-failed_pushes")
    assert page.inner_text("#attention-failed_deliveries .attention-count") == "1"  # the last 24 h
    assert page.locator("#attention-pairings_failed").is_visible()
    bars = page.locator("#dashboard-charts rect.bar")
    assert bars.count() > 14 and bars.first.is_visible()  # drawn, not just in the markup
    screenshot(page, "home-attention")
    page.click("#attention-failed_deliveries a")
    page.wait_for_url(re.compile(r".*/message/\?.*"))
    assert "1 message" in page.inner_text("#changelist-form, .paginator")


def test_support_creates_a_whatsapp_address_configuration_and_sees_it_synced(simulator, page):
    owned.own("whatsapp:+14155550123", "Lisbon")  # the account's sender: the form offers it
    log_in(page, simulator.url, staff_member("Support"))
    page.click("text=Address configurations")
    page.click("a.addlink")
    assert not page.is_visible("#id_type")  # the sender picked says its channel: no question about it
    page.select_option("#id_address", "whatsapp:+14155550123")
    page.fill("#id_friendly_name", "Deliveries Lisbon")
    page.check("#id_auto_creation_enabled")
    page.select_option("#id_auto_creation_type", "default")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r".*/addressconfiguration/.*"))
    reload_until(page, "Synced")
    row = AddressConfiguration.objects.get(address="whatsapp:+14155550123")
    assert row.sid.startswith("IG") and row.sync_state == "synced"
    screenshot(page, "address-configurations")


def test_ops_runs_a_pairing_end_to_end_with_the_handsets(simulator, page):
    call_command("simulator_seed", stdout=StringIO())
    twilio_pull(resources=["addresses", "templates"])
    account_webhooks_configure()
    log_in(page, simulator.url, staff_member("Ops"))
    page.goto(f"{simulator.url}/admin/conversations_ops/pairing/start/")
    page.select_option("[name=sender]", BUSINESS_WHATSAPP)
    page.fill("[name=customer]", CUSTOMER)
    page.fill("[name=courier]", COURIER)
    page.select_option("[name=invite_template]", Template.objects.get(friendly_name="courier_invite").sid)
    page.select_option("[name=connected_template]", Template.objects.get(friendly_name="courier_connected").sid)
    page.click("button[value=choose]")
    page.fill("[name=invite_var_1]", "Robert")
    page.fill("[name=invite_var_2]", "Alicia")
    page.click("button[value=check]")
    assert "Hello Robert, your food delivery is almost there but Alicia" in page.content()
    screenshot(page, "pairing-start")
    page.click("button[value=start]")
    reload_until(page, "<strong>Awaiting customer</strong>")  # the pairing's state, not a label

    customer = page.context.new_page()
    customer.goto(f"{simulator.url}/simulator/?{urlencode({'address': CUSTOMER, 'business': BUSINESS_WHATSAPP})}")
    customer.wait_for_selector("text=Hello Robert, your food delivery is almost there")
    customer.fill("#body", "Yes, sure!")
    customer.click("#send button[type=submit]")
    customer.wait_for_selector("text=Yes, sure!")

    reload_until(page, "<strong>Connected</strong>")
    transcript = page.inner_text("table.pairing-transcript")
    assert "Yes, sure!" in transcript and "Great! Just a moment while we connect you" in transcript
    # Templates read as the people read them, with their variables.
    assert "[courier_invite] Hello Robert, your food delivery is almost there" in transcript
    assert "whatsapp:+15•••••2661" in transcript and "15017122661" not in page.content()  # Ops sees masked numbers
    screenshot(page, "pairing-connected")
    courier = page.context.new_page()
    courier.goto(f"{simulator.url}/simulator/?{urlencode({'address': COURIER, 'business': BUSINESS_WHATSAPP})}")
    courier.wait_for_selector("text=to get this delivery sorted. You're now connected")
    courier.wait_for_selector("#conversations td:has-text('active')")  # the side panel's fetches are done too
    screenshot(courier, "handset-courier")
    customer.close()
    courier.close()

    # What an auditor reads afterwards: the conversation's transcript and who did what.
    conversation = Pairing.objects.get().conversation
    page.goto(f"{simulator.url}/admin/conversations_ops/message/transcript/{conversation.pk}/")
    transcript = page.inner_text("#content")
    assert "Hello Robert, your food delivery is almost there" in transcript and "Yes, sure!" in transcript
    assert "whatsapp:+15•••••2662" in transcript and "15017122662" not in page.content()
    assert "Expected: the courier had not written to the business number" in transcript  # the 63016 the pairing intends
    screenshot(page, "transcript")
    page.goto(f"{simulator.url}/admin/conversations_ops/auditentry/")
    trail = page.inner_text("#result_list")
    assert "pairing.start" in trail and "conversation.create" in trail and "ops" in trail
    screenshot(page, "audit-trail")


def test_an_auditor_cannot_send_sees_masked_numbers_and_downloads_an_export(simulator, page):
    conversation = Conversation.objects.create(sid=make_sid("CH", 3), unique_name="order-3", sync_state="synced")
    Participant.objects.create(
        conversation=conversation,
        sid=make_sid("MB", 3),
        sync_state="synced",
        role="customer",
        messaging_binding_type="whatsapp",
        messaging_binding_address=CUSTOMER,
        messaging_binding_proxy_address=BUSINESS_WHATSAPP,
    )
    Message.objects.create(
        conversation=conversation,
        sid=make_sid("IM", 3),
        index=0,
        author=CUSTOMER,
        body="Where is my order?",
        direction="inbound",
        sync_state="synced",
    )
    log_in(page, simulator.url, staff_member("Auditor"))

    page.goto(f"{simulator.url}/admin/conversations_ops/conversation/{conversation.pk}/change/")
    assert "Send message" not in page.content()
    refused = page.goto(f"{simulator.url}/admin/conversations_ops/conversation/{conversation.pk}/send/")
    assert refused.status == 403

    page.goto(f"{simulator.url}/admin/conversations_ops/message/")
    html = page.content()
    assert "whatsapp:+15•••••2661" in html and "15017122661" not in html
    screenshot(page, "message-history")
    with page.expect_download() as download_info:
        page.click("text=Export CSV")
    exported = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "Where is my order?" in exported
    assert "whatsapp:+15•••••2661" in exported and "15017122661" not in exported
