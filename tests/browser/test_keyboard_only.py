"""Issue 21, item 4: the two main tasks completed with the keyboard alone.

No click and no `fill`: the focus moves with Tab (the page's own tab order), text is typed into
whatever has the focus, a dropdown's option is chosen with the arrow keys, a checkbox ticked with
Space and a form sent with Enter. Fields are found by the ids Django gives them (`#id_address`),
so the tests hold when a form's layout changes, as long as every field can be reached by Tab.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from conversations_ops.models import AddressConfiguration, Pairing, Template
from conversations_ops.pull.runner import twilio_pull
from conversations_ops.services.account_webhooks import account_webhooks_configure
from simulator.engine import owned, studio
from simulator.management.commands.simulator_seed import BUSINESS_WHATSAPP
from tests.browser.helpers import log_in, staff_member
from tests.browser.test_console_in_a_browser import COURIER, CUSTOMER, reload_until

pytestmark = pytest.mark.slow

TABS = 80  # more than any form here has stops: a field Tab never reaches fails the test


def focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement !== null && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str) -> None:
    """Tab (then Shift+Tab, if it went past) until `selector` has the focus."""
    for key in ("Tab", "Shift+Tab"):
        for _ in range(TABS):
            if focused(page, selector):
                return
            page.keyboard.press(key)
    raise AssertionError(f"{selector} cannot be reached with Tab on {page.url}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")  # what was there goes, as a person would select it
    page.keyboard.type(text)


def choose(page, selector: str, value: str) -> None:
    """Tab to a dropdown and move through its options with the arrow keys to the one whose value is `value`."""
    tab_to(page, selector)
    options = page.eval_on_selector(selector, "el => Array.from(el.options, o => o.value)")
    assert value in options, f"{selector} does not offer {value!r}: {options}"
    page.keyboard.press("Home")
    for _ in range(len(options)):
        if page.eval_on_selector(selector, "el => el.value") == value:
            return
        page.keyboard.press("ArrowDown")
    assert page.eval_on_selector(selector, "el => el.value") == value, f"the arrow keys never reached {value!r}"


def press_button(page, selector: str, key: str = "Enter") -> None:
    tab_to(page, selector)
    page.keyboard.press(key)


def test_ops_starts_a_pairing_with_the_keyboard_only(simulator, page):
    call_command("simulator_seed", stdout=StringIO())
    twilio_pull(resources=["addresses", "templates"])
    account_webhooks_configure()
    log_in(page, simulator.url, staff_member("Ops"))
    page.goto(f"{simulator.url}/admin/conversations_ops/pairing/start/")

    choose(page, "#id_sender", BUSINESS_WHATSAPP)
    type_into(page, "#id_customer", CUSTOMER)
    type_into(page, "#id_courier", COURIER)
    choose(page, "#id_invite_template", Template.objects.get(friendly_name="courier_invite").sid)
    choose(page, "#id_connected_template", Template.objects.get(friendly_name="courier_connected").sid)
    press_button(page, "button[value=choose]", key="Space")
    page.wait_for_selector("#id_invite_var_1")
    type_into(page, "#id_invite_var_1", "Robert")
    type_into(page, "#id_invite_var_2", "Alicia")
    page.keyboard.press("Enter")  # "Check" is the form's first button: Enter in a field sends it
    page.wait_for_selector("button[value=start]")
    assert "Hello Robert, your food delivery is almost there but Alicia" in page.content()
    press_button(page, "button[value=start]")

    page.wait_for_url(re.compile(r".*/pairing/\d+/change/"))
    pairing = Pairing.objects.get()
    assert (pairing.customer_address, pairing.courier_address) == (CUSTOMER, COURIER)
    assert pairing.invite_variables == {"1": "Robert", "2": "Alicia"}
    reload_until(page, "<strong>Awaiting customer</strong>")  # started on Twilio: the invite went out


def test_support_adds_a_whatsapp_address_with_the_keyboard_only(simulator, page):
    """Studio auto-creation: the type's dropdown shows the flow's dropdown (address_auto_creation.js),
    which the keyboard then reaches; the flow is one of the account's, never a typed SID."""
    owned.own("whatsapp:+14155550123", "Lisbon")  # the account's sender: the form offers it
    flow = studio.add_flow("Messaging Flow", "published")  # the account's flow: the form offers it
    log_in(page, simulator.url, staff_member("Support"))
    page.goto(f"{simulator.url}/admin/conversations_ops/addressconfiguration/add/")

    choose(page, "#id_address", "whatsapp:+14155550123")
    type_into(page, "#id_friendly_name", "Deliveries Lisbon")
    tab_to(page, "#id_auto_creation_enabled")
    if not page.eval_on_selector("#id_auto_creation_enabled", "el => el.checked"):
        page.keyboard.press("Space")
    choose(page, "#id_auto_creation_type", "studio")
    assert page.locator("fieldset.auto-creation-studio").is_visible()  # shown by the arrow keys' choice
    choose(page, "#id_auto_creation_studio_flow_sid", flow.sid)
    type_into(page, "#id_auto_creation_studio_retry_count", "2")
    press_button(page, "input[name=_save]")

    page.wait_for_url(re.compile(r".*/addressconfiguration/(?!add/)"))  # saved: the list, or the row's page
    row = AddressConfiguration.objects.get(address="whatsapp:+14155550123")
    assert (row.friendly_name, row.auto_creation_enabled, row.auto_creation_type) == (
        "Deliveries Lisbon",
        True,
        "studio",
    )
    assert (row.auto_creation_studio_flow_sid, row.auto_creation_studio_retry_count) == (flow.sid, 2)
    reload_until(page, "Synced")
    row.refresh_from_db()
    assert row.sid.startswith("IG") and row.sync_state == "synced"
