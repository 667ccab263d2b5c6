"""The address configuration form asks auto-creation as Twilio's Flex page does: the account's
Studio flows and Conversation Services from lists read from Twilio, the webhook's events as
checkboxes of Twilio's names, only the chosen type's fields kept (admin/address_forms.py,
selectors/account_lists.py, AddressConfiguration.clear_other_type_fields)."""

import re

import pytest
import requests
from django import forms
from django.urls import reverse
from django.utils import timezone

from conversations_ops.admin.address_forms import auto_creation_fieldsets
from conversations_ops.models import AccountConfiguration, AddressConfiguration, SyncState
from conversations_ops.services.address_configurations import address_configuration_update
from conversations_ops.twilio import gateway
from conversations_ops.validators import AUTO_CREATION_WEBHOOK_FILTERS
from simulator.engine import owned, studio
from simulator.models import SimAddressConfiguration
from tests.helpers.ids import make_sid

ADD = "admin:conversations_ops_addressconfiguration_add"
SENDER = "whatsapp:+14155550111"
FLOW = "auto_creation_studio_flow_sid"
SERVICE = "auto_creation_conversation_service_sid"
FILTERS = "auto_creation_webhook_filters"


def _fields(response):
    return response.context["adminform"].form.fields


def _change_url(row):
    return reverse("admin:conversations_ops_addressconfiguration_change", args=[row.pk])


@pytest.fixture
def twilio_unreachable(settings):
    """The test settings' Twilio (127.0.0.1:9) answers nothing; no waiting between tries."""
    settings.TWILIO_READ_RETRY_BASE_SECONDS = 0


# The lists, read from the simulator through the real SDK -----------------------------------


@pytest.mark.slow
def test_the_form_offers_the_accounts_flows_and_services_read_from_twilio(simulator, admin_client):
    draft = studio.add_flow("Order updates", "draft")
    published = studio.add_flow("Messaging Flow", "published")
    default_service = gateway.account_configuration_fetch().default_chat_service_sid
    AccountConfiguration.objects.create(pk=1, default_chat_service_sid=default_service, pulled_at=timezone.now())
    requests.post(f"{simulator.api_base}/_control/services", data={"FriendlyName": "Elsewhere"}, timeout=10)

    page = admin_client.get(reverse(ADD))
    fields = _fields(page)
    assert isinstance(fields[FLOW], forms.ChoiceField) and not isinstance(fields[FLOW], forms.MultipleChoiceField)
    assert fields[FLOW].choices == [
        ("", "---------"),
        (published.sid, f"Messaging Flow ({published.sid}, published)"),  # published first
        (draft.sid, f"Order updates ({draft.sid}, draft)"),
    ]
    services = fields[SERVICE].choices
    assert services[0] == ("", "The account's default service")
    assert services[1] == (default_service, f"Default Conversations Service ({default_service}, the account's default)")
    assert [label.split(" (")[0] for _, label in services[2:]] == ["Elsewhere"]
    html = page.content.decode()
    assert f'<option value="{published.sid}">Messaging Flow ({published.sid}, published)</option>' in html
    assert not [str(m) for m in page.context["messages"]]


@pytest.mark.slow
def test_a_studio_address_made_by_choosing_sender_and_flow_from_lists_reaches_twilio_synced(simulator, admin_client):
    owned.own(SENDER, "Deliveries")
    studio.add_flow("Messaging Flow", "published")
    fields = _fields(admin_client.get(reverse(ADD)))
    # Chosen from what the form offers, as staff would: no SID typed.
    sender = next(value for value, label in fields["address"].choices if label.startswith("WhatsApp"))
    flow = next(value for value, label in fields[FLOW].choices if label.startswith("Messaging Flow"))

    made = admin_client.post(
        reverse(ADD),
        {
            "address": sender,
            "type": "whatsapp",
            "friendly_name": "Deliveries",
            "address_country": "",
            "auto_creation_enabled": "on",
            "auto_creation_type": "studio",
            FLOW: flow,
            "auto_creation_studio_retry_count": "3",
            SERVICE: "",
        },
    )
    assert made.status_code == 302, made.context and made.context["adminform"].form.errors
    row = AddressConfiguration.objects.get(address=SENDER)
    assert (row.sync_state, row.auto_creation_studio_flow_sid) == (SyncState.SYNCED, flow) and row.sid
    on_twilio = SimAddressConfiguration.objects.get(sid=row.sid).auto_creation
    assert (on_twilio["type"], on_twilio["studio_flow_sid"], on_twilio["studio_retry_count"]) == ("studio", flow, 3)
    change = admin_client.get(_change_url(row)).content.decode()
    assert "Synced" in change and f'<option value="{flow}" selected>' in change


@pytest.mark.slow
def test_when_twilio_cannot_list_flows_and_services_the_form_takes_typed_sids_and_says_why(
    simulator, admin_client, settings
):
    settings.TWILIO_READ_RETRY_BASE_SECONDS = 0
    owned.own(SENDER)
    flow = studio.add_flow("Messaging Flow", "published")
    faults = {"rate": 1, "kinds": ["500"], "paths": ["/studio/v2/Flows", "/conversations/v1/Services"]}
    assert requests.post(f"{simulator.api_base}/_control/faults", json=faults, timeout=10).status_code == 200

    page = admin_client.get(reverse(ADD))
    fields = _fields(page)
    assert isinstance(fields["address"], forms.ChoiceField)  # the senders were read: only the lists failed
    assert not isinstance(fields[FLOW], forms.ChoiceField) and not isinstance(fields[SERVICE], forms.ChoiceField)
    assert "could not be read, so the account's Studio flows cannot be listed" in fields[FLOW].help_text
    assert "type the flow's SID" in fields[FLOW].help_text
    assert "Leave this empty for the account's default service" in fields[SERVICE].help_text
    notices = [str(m) for m in page.context["messages"]]
    assert any("Studio flows or Conversation Services could not be read from Twilio" in n for n in notices), notices

    made = admin_client.post(
        reverse(ADD),
        {
            "address": SENDER,
            "type": "whatsapp",
            "auto_creation_enabled": "on",
            "auto_creation_type": "studio",
            FLOW: flow.sid,
        },
    )
    assert made.status_code == 302, made.context and made.context["adminform"].form.errors
    row = AddressConfiguration.objects.get(address=SENDER)
    assert row.sync_state == SyncState.SYNCED
    assert SimAddressConfiguration.objects.get(sid=row.sid).auto_creation["studio_flow_sid"] == flow.sid


# The form without Twilio: checkboxes, fieldsets, other types' values dropped ----------------


@pytest.mark.django_db
def test_webhook_filters_are_checkboxes_of_twilios_event_names_and_round_trip(admin_client, twilio_unreachable):
    page = admin_client.get(reverse(ADD))
    field = _fields(page)[FILTERS]
    assert isinstance(field.widget, forms.CheckboxSelectMultiple)
    assert [value for value, _ in field.choices] == list(AUTO_CREATION_WEBHOOK_FILTERS)

    made = admin_client.post(
        reverse(ADD),
        {
            "address": SENDER,
            "type": "whatsapp",
            "auto_creation_enabled": "on",
            "auto_creation_type": "webhook",
            "auto_creation_webhook_url": "https://ops.example.com/auto",
            "auto_creation_webhook_method": "post",
            FILTERS: ["onMessageAdded", "onParticipantAdded"],
        },
    )
    assert made.status_code == 302, made.context["adminform"].form.errors
    row = AddressConfiguration.objects.get(address=SENDER)
    assert row.auto_creation_webhook_filters == ["onMessageAdded", "onParticipantAdded"]  # still a JSON list

    html = admin_client.get(_change_url(row)).content.decode()
    checked = set(
        re.findall(r'<input type="checkbox" name="auto_creation_webhook_filters" value="(\w+)"[^>]*checked', html)
    )
    assert checked == {"onMessageAdded", "onParticipantAdded"}

    changed = admin_client.post(
        _change_url(row),
        {
            "address": SENDER,
            "type": "whatsapp",
            "auto_creation_enabled": "on",
            "auto_creation_type": "webhook",
            "auto_creation_webhook_url": "https://ops.example.com/auto",
            "auto_creation_webhook_method": "post",
            FILTERS: ["onMessageAdded"],
        },
    )
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    row.refresh_from_db()
    assert row.auto_creation_webhook_filters == ["onMessageAdded"]


@pytest.mark.django_db
def test_an_event_name_twilio_does_not_know_is_refused_on_the_field(admin_client, twilio_unreachable):
    refused = admin_client.post(
        reverse(ADD),
        {
            "address": SENDER,
            "type": "whatsapp",
            "auto_creation_type": "webhook",
            "auto_creation_webhook_url": "https://ops.example.com/auto",
            FILTERS: ["onMessageAdd"],
        },
    )
    assert refused.status_code == 200 and FILTERS in refused.context["adminform"].form.errors
    assert not AddressConfiguration.objects.exists()


@pytest.mark.django_db
def test_without_script_every_field_is_posted_and_only_the_chosen_types_are_kept(admin_client, twilio_unreachable):
    flow = make_sid("FW")
    made = admin_client.post(
        reverse(ADD),
        {
            "address": SENDER,
            "type": "whatsapp",
            "auto_creation_enabled": "on",
            "auto_creation_type": "studio",
            FLOW: flow,
            "auto_creation_studio_retry_count": "2",
            # Left filled in the webhook fieldset, which the script would have hidden:
            "auto_creation_webhook_url": "https://ops.example.com/auto",
            "auto_creation_webhook_method": "get",
            FILTERS: ["onMessageAdded"],
        },
    )
    assert made.status_code == 302, made.context["adminform"].form.errors
    row = AddressConfiguration.objects.get(address=SENDER)
    assert (row.auto_creation_studio_flow_sid, row.auto_creation_studio_retry_count) == (flow, 2)
    assert (row.auto_creation_webhook_url, row.auto_creation_webhook_method, row.auto_creation_webhook_filters) == (
        "",
        "",
        [],
    )


@pytest.mark.django_db
def test_switching_the_type_drops_the_old_types_values_in_the_service_too():
    row = AddressConfiguration.objects.create(
        address=SENDER,
        auto_creation_enabled=True,
        auto_creation_type="studio",
        auto_creation_studio_flow_sid=make_sid("FW"),
        auto_creation_studio_retry_count=3,
    )
    address_configuration_update(
        address_configuration=row,
        data={"auto_creation_type": "webhook", "auto_creation_webhook_url": "https://ops.example.com/auto"},
    )
    row.refresh_from_db()
    assert (row.auto_creation_type, row.auto_creation_webhook_url) == ("webhook", "https://ops.example.com/auto")
    assert (row.auto_creation_studio_flow_sid, row.auto_creation_studio_retry_count) == ("", None)

    # Twilio's default type reads neither the webhook's fields nor the flow's.
    kept = AddressConfiguration(
        address=SENDER, auto_creation_type="default", auto_creation_webhook_filters=["onMessageAdded"]
    )
    assert kept.clear_other_type_fields() == ["auto_creation_webhook_filters"]
    assert kept.auto_creation_webhook_filters == []


@pytest.mark.django_db
def test_each_type_has_its_own_fieldset_and_the_page_loads_the_script(admin_client, twilio_unreachable):
    html = admin_client.get(reverse(ADD)).content.decode()
    fieldsets = re.findall(r'<fieldset class="([^"]*)"', html)
    assert any("auto-creation-webhook" in c for c in fieldsets) and any("auto-creation-studio" in c for c in fieldsets)
    webhook = html.split("auto-creation-webhook", 1)[1].split("</fieldset>", 1)[0]
    assert 'name="auto_creation_webhook_url"' in webhook and 'name="auto_creation_studio_flow_sid"' not in webhook
    studio_part = html.split("auto-creation-studio", 1)[1].split("</fieldset>", 1)[0]
    assert (
        'name="auto_creation_studio_flow_sid"' in studio_part
        and 'name="auto_creation_studio_retry_count"' in studio_part
    )
    assert '<select name="auto_creation_webhook_method"' in html and '<select name="auto_creation_type"' in html
    assert '<label for="id_auto_creation_studio_flow_sid"' in html
    assert "conversations_ops/address_auto_creation.js" in html


def test_the_regrouping_moves_only_fields_present_and_keeps_a_masked_display_in_its_place():
    fieldsets = [
        ("Twilio identity and sync", {"fields": ("sid", "sync_state")}),
        (
            "Details",
            {
                "fields": [
                    "address",
                    "auto_creation_enabled",
                    "auto_creation_type",
                    "masked__auto_creation_webhook_url",  # holds a number: swapped for its masked display
                    "auto_creation_webhook_method",
                    "auto_creation_studio_flow_sid",
                ]
            },
        ),
        ("Folded", {"fields": ("last_sync_error",)}),
    ]
    grouped = auto_creation_fieldsets(fieldsets)
    assert [title for title, _ in grouped] == [
        "Twilio identity and sync",
        "Details",
        "Auto-creation",
        "Webhook",
        "Studio flow",
        "Folded",
    ]
    fields = {title: list(options["fields"]) for title, options in grouped}
    assert fields["Details"] == ["address"]
    assert fields["Auto-creation"] == ["auto_creation_enabled", "auto_creation_type"]
    assert fields["Webhook"] == ["masked__auto_creation_webhook_url", "auto_creation_webhook_method"]
    assert fields["Studio flow"] == ["auto_creation_studio_flow_sid"]
    assert dict(grouped)["Webhook"]["classes"] == ("auto-creation-webhook",)


@pytest.mark.django_db
def test_an_empty_events_value_means_no_event(admin_client, twilio_unreachable):
    """What a client posts for a list with nothing ticked ("") is no event, not an unknown one."""
    made = admin_client.post(reverse(ADD), {"address": SENDER, "type": "whatsapp", FILTERS: ""})
    assert made.status_code == 302, made.context["adminform"].form.errors
    assert AddressConfiguration.objects.get(address=SENDER).auto_creation_webhook_filters == []
