"""Issue 21's Done-when in Chromium: each role lands on its own work, and a support person adds a
WhatsApp address with Studio auto-creation by choosing from lists, never typing a SID.

- each role (Support, Ops, Auditor, Advisors, Advisor managers) logs in and the first thing on the
  home page is its own "Your work" panel (templatetags/your_work.py), holding that role's tasks and
  counts; its first task opens the page of that work;
- Support follows "Add a WhatsApp address", picks the account's sender and one of the account's
  Studio flows (the simulator's seeded ones, read through Twilio's Studio v2 Flows list), sees only
  the Studio fields, saves, and the change page's status line says "Synced with Twilio".

The `page` fixture runs axe on every page reached (accessibility.py): the home pages, the task pages
and the address form, before and after it is saved.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations_ops.models import AddressConfiguration, Customer, Template
from simulator.engine import owned
from simulator.management.commands.simulator_seed import STUDIO_FLOWS
from simulator.models import SimAddressConfiguration, SimStudioFlow
from tests.browser.helpers import PASSWORD, log_in, screenshot, staff_member
from tests.browser.test_console_in_a_browser import reload_until
from tests.dashboard.helpers import Rows
from tests.helpers.clienteling import ADVISORS, MANAGERS, advisor, sender, team
from tests.helpers.ids import make_sid

pytestmark = pytest.mark.slow

LISBON = "whatsapp:+14155550123"  # the account's sender the support person adds

# role: (its panel's id, the ids of the items it must offer, the first task's link and where it leads,
# the count some_work makes 1: None where the panel offers tasks only).
WORK = {
    "Support": (
        "your-work-support",
        ["work-add_address", "work-templates_waiting", "work-addresses_failing"],
        "#work-add_address a",
        r"/admin/conversations_ops/addressconfiguration/add/$",
        "work-templates_waiting",
    ),
    "Ops": (
        "your-work-ops",
        ["work-start_pairing", "work-pairings_awaiting_customer", "work-pairings_connecting", "work-send_message"],
        "#work-start_pairing a",
        r"/admin/conversations_ops/pairing/start/$",
        "work-pairings_awaiting_customer",
    ),
    "Auditor": (
        "your-work-auditor",
        ["work-history_today", "work-export_today", "work-audit_trail"],
        "#work-history_today a",
        r"/admin/conversations_ops/message/\?when=today$",
        None,
    ),
    ADVISORS: (
        "your-work-advisor",
        ["needs-reply-open_inbox", "needs-reply-needs_reply", "needs-reply-closing"],
        "#open-inbox",
        r"/admin/inbox/$",
        "needs-reply-needs_reply",
    ),
    MANAGERS: (
        "your-work-manager",
        ["work-figures", "work-reassign", "work-unassigned_queue"],
        "#work-figures a",
        r"/admin/clienteling/figures/$",
        "work-unassigned_queue",
    ),
}
SCREENSHOT_NAMES = {"Support": "support", "Ops": "ops", "Auditor": "auditor", ADVISORS: "advisor", MANAGERS: "manager"}


def some_work(role: str):
    """A little of what each role's panel counts, so its home page shows work waiting; the person."""
    if role == "Support":
        Template.objects.create(sid=make_sid("HX", 1), friendly_name="order_ready", approval_status="pending")
        AddressConfiguration.objects.create(
            sid=make_sid("IG", 1), address="whatsapp:+14155550100", sync_state="failed", last_sync_error="50416"
        )
    elif role == "Ops":
        address = AddressConfiguration.objects.create(
            type="whatsapp", address="whatsapp:+14155550100", sid=make_sid("IG", 2), sync_state="synced"
        )
        Rows().pairing(state="awaiting_customer", sender=address)
    elif role == "Auditor":
        Rows().message(date_created=timezone.now() - timedelta(minutes=5))
    if role in (ADVISORS, MANAGERS):
        person = advisor(role.lower().replace(" ", "_"), group=role, password=PASSWORD)
        whatsapp = sender("whatsapp:+14155550100")
        team("First shift", senders=[whatsapp], members=[person], managers=[person] if role == MANAGERS else [])
        Customer.objects.create(
            name="Robert Blue",
            whatsapp_address="whatsapp:+15017120001",
            sender=whatsapp,
            advisor=person if role == ADVISORS else None,  # a manager's team queue: nobody owns them
            awaiting_reply_since=timezone.now() - timedelta(hours=1),
        )
        return person
    return staff_member(role)


@pytest.mark.parametrize("role", list(WORK))
def test_each_role_lands_on_its_own_work(simulator, page, role):
    panel, items, first_task, task_page, counted = WORK[role]
    log_in(page, simulator.url, some_work(role))

    first = page.eval_on_selector("#content-main", "el => el.firstElementChild && el.firstElementChild.id")
    assert first == panel, f"the home page of {role} starts with #{first}, not its own work"
    offered = page.eval_on_selector_all(f"#{panel} li", "els => els.map(e => e.id)")
    assert all(item in offered for item in items), f"#{panel} offers {offered}, not all of {items}"
    assert page.locator(f"#{panel} h2").is_visible()
    if counted is not None:  # the work some_work left waiting, counted
        assert page.inner_text(f"#{counted} .attention-count") == "1"
    screenshot(page, f"home-{SCREENSHOT_NAMES[role]}")

    page.click(first_task)
    page.wait_for_url(re.compile(task_page))
    assert "Forbidden" not in page.title() and page.locator("#content h1").is_visible(), page.title()


def test_support_adds_a_studio_address_choosing_sender_and_flow_from_lists(simulator, page):
    call_command("simulator_seed", stdout=StringIO())  # the account's Studio flows, among the rest
    owned.own(LISBON, "Lisbon")
    published = SimStudioFlow.objects.get(friendly_name=STUDIO_FLOWS[0][0])
    log_in(page, simulator.url, staff_member("Support"))

    page.click("#work-add_address a")  # the task, first thing on the home page
    page.wait_for_url(re.compile(r".*/addressconfiguration/add/$"))
    studio, webhook = page.locator("fieldset.auto-creation-studio"), page.locator("fieldset.auto-creation-webhook")
    # Lists to choose from, not fields to paste a SID into.
    for field in ("#id_address", "#id_auto_creation_type", "#id_auto_creation_studio_flow_sid"):
        assert page.eval_on_selector(field, "el => el.tagName") == "SELECT", field
    page.select_option("#id_address", LISBON)
    page.fill("#id_friendly_name", "Deliveries Lisbon")
    page.check("#id_auto_creation_enabled")
    page.select_option("#id_auto_creation_type", "studio")
    assert studio.is_visible() and not webhook.is_visible()  # only the chosen type's fields
    flows = page.eval_on_selector_all("#id_auto_creation_studio_flow_sid option", "els => els.map(o => o.text)")
    assert any(STUDIO_FLOWS[0][0] in f for f in flows) and any(STUDIO_FLOWS[1][0] in f for f in flows), flows
    chosen = next(f for f in flows if STUDIO_FLOWS[0][0] in f)
    page.select_option("#id_auto_creation_studio_flow_sid", label=chosen)
    page.fill("#id_auto_creation_studio_retry_count", "2")
    screenshot(page, "address-form-studio")
    page.click("input[name=_continue]")  # saved, and back on its page to watch it sync

    page.wait_for_url(re.compile(r".*/addressconfiguration/\d+/change/$"))
    reload_until(page, "Synced with Twilio")
    assert page.locator(".sync-status-synced").is_visible()
    row = AddressConfiguration.objects.get(address=LISBON)
    assert (row.auto_creation_type, row.auto_creation_studio_flow_sid, row.auto_creation_studio_retry_count) == (
        "studio",
        published.sid,
        2,
    )
    on_twilio = SimAddressConfiguration.objects.get(sid=row.sid).auto_creation
    assert (on_twilio["type"], on_twilio["studio_flow_sid"], on_twilio["studio_retry_count"]) == (
        "studio",
        published.sid,
        2,
    )
    screenshot(page, "address-configuration-synced")
