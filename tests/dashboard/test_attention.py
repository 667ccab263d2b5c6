"""The "Needs attention" panel: each item with its count and link while its condition holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations_ops.models import (
    Message,
    Pairing,
    SyncOperation,
    TemplateStatusChange,
    WebhookEvent,
)
from tests.dashboard.helpers import ALL_VIEWS, items, page, panel
from tests.dashboard.html_tree import parse

pytestmark = pytest.mark.django_db


def all_clear(client) -> bool:
    return panel(client).find("p", cls="dashboard-all-clear") is not None


def test_all_clear_when_nothing_needs_attention(admin_client, rows):
    rows.failed_operations(1)
    SyncOperation.objects.update(state="succeeded")
    rows.receipts(1, status="delivered")
    assert items(admin_client) == {}
    assert all_clear(admin_client)
    assert "All clear" in page(admin_client)


def test_failed_pushes_with_their_commonest_codes(admin_client, rows):
    rows.failed_operations(3, code=50416, status=400)
    rows.failed_operations(1, code=20429, status=429)
    rows.failed_operations(1, code=None, status=429)  # a bare 429 means the same as 20429
    rows.failed_operations(1, code=21211, status=400)
    rows.failed_operations(1, code=20003, status=401)  # fourth most common: not listed
    SyncOperation.objects.create(
        content_type=SyncOperation.objects.first().content_type, object_id=1, operation="message.send", state="pending"
    )

    count, link, details = items(admin_client)["failed_pushes"]

    assert (count, link) == (7, "/admin/conversations_ops/syncoperation/?state__exact=failed")
    assert admin_client.get(link).status_code == 200
    assert details[0] == "3 × 50416: Number pair already in another open conversation"
    assert details[1] == "2 × 20429: Too many requests"
    assert details[2:] == ["1 × 21211: Invalid phone number"]  # ties by title; 20003 is left off
    assert not all_clear(admin_client)

    SyncOperation.objects.filter(state="failed").update(state="pending")  # Retry failed
    assert "failed_pushes" not in items(admin_client)
    assert all_clear(admin_client)


def test_records_whose_push_failed_link_to_their_lists(admin_client, rows):
    rows.conversation(sync_state="failed")
    rows.conversation(sync_state="failed")
    rows.message(sync_state="failed")
    rows.message(sync_state="pending")

    count, link, details = items(admin_client)["failed_rows"]

    assert (count, link) == (3, None)
    assert details == ["Conversations: 2", "Messages: 1"]
    hrefs = [a.attrs["href"] for a in panel(admin_client).find_all("li", cls="attention-link")[0].find_all("a")]
    assert hrefs == ["/admin/conversations_ops/conversation/?sync_state__exact=failed"]
    assert admin_client.get(hrefs[0]).status_code == 200


def test_failed_deliveries_of_the_last_24_hours(admin_client, rows):
    rows.receipts(2, status="failed", error_code=63016)  # one message, two recipients: one message
    rows.receipts(1, status="failed", error_code=63016)
    rows.receipts(1, status="undelivered", error_code=30008)
    rows.receipts(1, status="failed", error_code=None)
    rows.receipts(1, status="failed", message=rows.message(date_created=timezone.now() - timedelta(hours=30)))
    rows.receipts(2, status="delivered")

    count, link, details = items(admin_client)["failed_deliveries"]

    assert (count, link) == (4, "/admin/conversations_ops/message/?delivery=attention&when=24h")
    assert details == [
        "2 × 63016: Outside the WhatsApp 24-hour window",
        "1 × No error code given",
        "1 × 30008: Unknown delivery error",
    ]
    # The list it links to shows exactly those messages.
    listed = admin_client.get(link)
    assert listed.status_code == 200 and listed.context["cl"].result_count == 4

    Message.objects.update(date_created=timezone.now() - timedelta(hours=25))
    assert "failed_deliveries" not in items(admin_client)


def test_template_alerts_reuse_the_banner(admin_client, rows):
    alert = rows.template_alert()

    html = panel(admin_client)
    banner = html.find("div", cls="template-alerts")
    assert banner is not None and "courier_eta" in banner.text and "paused" in banner.text
    assert not all_clear(admin_client)

    TemplateStatusChange.objects.filter(pk=alert.pk).update(acknowledged_at=timezone.now())
    assert panel(admin_client).find("div", cls="template-alerts") is None
    assert all_clear(admin_client)


def test_pairings_waiting_too_long(admin_client, rows, address_configuration):
    now = timezone.now()

    def awaiting(invited_minutes_ago, expires_in_minutes, timeout=30):
        rows.pairing(
            state="awaiting_customer",
            sender=address_configuration,
            reply_timeout_minutes=timeout,
            invited_at=now - timedelta(minutes=invited_minutes_ago),
            expires_at=now + timedelta(minutes=expires_in_minutes),
        )

    awaiting(16, 14)  # past half of 30 minutes
    awaiting(10, 20)  # not yet
    awaiting(10, 50, timeout=60)  # not yet: its own timeout is longer
    awaiting(40, -10)  # past expires_at (the expiry schedule has not run)
    for minutes in (10, 6, 1):
        rows.pairing(state="connecting", sender=address_configuration, replied_at=now - timedelta(minutes=minutes))
    rows.pairing(state="failed", sender=address_configuration, failure="Twilio error 50416")
    rows.pairing(state="connected", sender=address_configuration, replied_at=now - timedelta(hours=3))

    shown = items(admin_client)

    base = "/admin/conversations_ops/pairing/?"
    assert shown["pairings_awaiting_customer"][:2] == (2, base + "waiting=awaiting_customer")
    assert shown["pairings_connecting"][:2] == (2, base + "waiting=connecting")
    assert shown["pairings_failed"][:2] == (1, base + "state__exact=failed")
    # Each link lists exactly the pairings it counted.
    for key in ("pairings_awaiting_customer", "pairings_connecting", "pairings_failed"):
        count, link = shown[key][:2]
        assert admin_client.get(link).context["cl"].result_count == count, key

    Pairing.objects.filter(state__in=["awaiting_customer", "connecting", "failed"]).update(state="closed")
    assert not any(key.startswith("pairings_") for key in items(admin_client))
    assert all_clear(admin_client)


def test_webhook_events_failed_or_unhandled_in_the_last_24_hours(admin_client, rows):
    rows.webhook_events(1, state="failed", age=timedelta(hours=30))  # events arrive in id order
    rows.webhook_events(2, state="failed")
    rows.webhook_events(1, state="unhandled")
    rows.webhook_events(3, state="processed")

    shown = items(admin_client)

    base = "/admin/conversations_ops/webhookevent/?processing_state__exact="
    assert shown["webhooks_failed"][:2] == (2, base + "failed&received=24h")
    assert shown["webhooks_unhandled"][:2] == (1, base + "unhandled&received=24h")
    # The lists they link to show exactly those events (the one of 30 hours ago is not among them).
    assert admin_client.get(base + "failed&received=24h").context["cl"].result_count == 2
    assert admin_client.get(base + "unhandled&received=24h").context["cl"].result_count == 1
    assert admin_client.get(base + "failed").context["cl"].result_count == 3

    WebhookEvent.objects.update(received_at=timezone.now() - timedelta(days=2))
    assert all_clear(admin_client)
    assert admin_client.get(base + "failed&received=24h").context["cl"].result_count == 0


def test_received_filter_reads_only_the_window_and_uses_ids(admin_client, rows):
    rows.webhook_events(3, state="processed", age=timedelta(hours=30))
    rows.webhook_events(2, state="processed")
    listed = admin_client.get("/admin/conversations_ops/webhookevent/?received=24h")
    assert listed.context["cl"].result_count == 2
    assert 'id" >' in str(listed.context["cl"].queryset.query)  # an id range, not a scan of received_at
    assert admin_client.get("/admin/conversations_ops/webhookevent/?received=1y").status_code == 200  # unknown: all


def _everything_needs_attention(rows, sender):
    rows.failed_operations(1)
    rows.conversation(sync_state="failed")
    rows.receipts(1)
    rows.template_alert()
    rows.pairing(state="failed", sender=sender)
    rows.webhook_events(1, state="failed")


@pytest.mark.parametrize(
    ("missing", "hidden"),
    [
        ("syncoperation", "failed_pushes"),
        ("conversation", "failed_rows"),
        ("message", "failed_deliveries"),
        ("deliveryreceipt", "failed_deliveries"),
        ("pairing", "pairings_failed"),
        ("webhookevent", "webhooks_failed"),
    ],
)
def test_an_item_is_hidden_from_who_may_not_view_its_model(staff_client, rows, address_configuration, missing, hidden):
    _everything_needs_attention(rows, address_configuration)
    client = staff_client([m for m in ALL_VIEWS if m != missing])

    shown = items(client)

    expected = {"failed_pushes", "failed_rows", "failed_deliveries", "pairings_failed", "webhooks_failed"}
    assert set(shown) == expected - {hidden}
    assert panel(client).find("div", cls="template-alerts") is not None


def test_template_alerts_hidden_from_who_may_not_view_them(staff_client, rows):
    rows.template_alert()
    client = staff_client([m for m in ALL_VIEWS if m != "templatestatuschange"])
    assert panel(client).find("div", cls="template-alerts") is None
    assert all_clear(client)


def test_no_panel_for_who_may_view_none_of_it(staff_client, rows):
    rows.failed_operations(1)
    html = parse(page(staff_client(["sandboxsender"])))
    assert html.find("div", id="needs-attention") is None  # not "All clear": they cannot know


def test_the_admin_index_is_still_there(admin_client, rows):
    rows.failed_operations(1)
    html = parse(page(admin_client))
    main = html.find("div", id="content-main")
    assert main.find("div", id="needs-attention") is not None
    assert main.find("a", href="/admin/conversations_ops/conversation/") is not None  # the app list
    assert html.find("div", id="recent-actions-module") is not None
