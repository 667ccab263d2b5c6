"""The handset page: a person's phone in the browser."""

from django.utils import timezone

from simulator.models import SimContent, SimHandsetEntry, SimWhatsAppPreference
from tests.simulator.engine_helpers import BUSINESS_SMS, BUSINESS_WA, CUSTOMER_SMS, CUSTOMER_WA


def test_the_page_renders_with_the_simulated_banner(client, db):
    response = client.get("/simulator/")
    assert response.status_code == 200
    assert "Simulated Twilio" in response.content.decode()


def test_the_page_shows_what_the_phone_received_and_the_templates(client, db):
    SimHandsetEntry.objects.create(
        address=CUSTOMER_WA,
        direction="received",
        counterpart=BUSINESS_WA,
        body="Your rider is outside",
        status="delivered",
        date=timezone.now(),
    )
    now = timezone.now()
    SimContent.objects.create(
        sid="HX" + "b" * 32,
        friendly_name="courier_invite",
        language="en",
        types={"twilio/text": {"body": "Hello {{1}}"}},
        approval={"status": "paused", "category": "MARKETING"},
        date_created=now,
        date_updated=now,
    )
    page = client.get("/simulator/", {"address": CUSTOMER_WA, "business": BUSINESS_WA}).content.decode()
    assert "Your rider is outside" in page
    assert "courier_invite" in page and "paused" in page and "MARKETING" in page
    assert 'data-category="UTILITY"' in page  # re-categorise it, as Meta does
    assert CUSTOMER_WA in page  # offered in the address picker


def test_another_phone_does_not_show_it(client, db):
    SimHandsetEntry.objects.create(
        address=CUSTOMER_WA,
        direction="received",
        counterpart=BUSINESS_WA,
        body="private to the customer",
        status="delivered",
        date=timezone.now(),
    )
    page = client.get("/simulator/", {"address": "whatsapp:+15550001111"}).content.decode()
    assert "private to the customer" not in page


def test_a_whatsapp_user_can_block_the_business_or_stop_its_marketing_from_the_page(client, db):
    """The buttons post to _control/handsets/<address>/preferences; the page shows the setting."""
    page = client.get("/simulator/", {"address": CUSTOMER_WA, "business": BUSINESS_WA}).content.decode()
    assert "Blocked: no" in page and "Marketing messages: on" in page
    assert 'data-preference="blocked" data-value="true"' in page
    assert 'data-preference="marketing_stopped" data-value="true"' in page
    SimWhatsAppPreference.objects.create(
        address=CUSTOMER_WA, proxy_address=BUSINESS_WA, marketing_stopped=True, date_updated=timezone.now()
    )
    page = client.get("/simulator/", {"address": CUSTOMER_WA, "business": BUSINESS_WA}).content.decode()
    assert "Marketing messages: stopped" in page and "Resume marketing messages" in page
    # SMS users text STOP instead: no such buttons.
    page = client.get("/simulator/", {"address": CUSTOMER_SMS, "business": BUSINESS_SMS}).content.decode()
    assert "data-preference" not in page.split("<script>")[0]


def test_twilios_keyword_reply_is_marked_on_the_phone(client, db):
    SimHandsetEntry.objects.create(
        address=CUSTOMER_SMS,
        direction="received",
        counterpart=BUSINESS_SMS,
        body="You have successfully been unsubscribed.",
        status="delivered",
        auto_reply=True,
        date=timezone.now(),
    )
    page = client.get("/simulator/", {"address": CUSTOMER_SMS}).content.decode()
    assert "Twilio's automatic reply" in page.split("<script>")[0]


def test_the_page_is_gone_unless_simulated(client, db, settings):
    settings.TWILIO_SIMULATED = False
    assert client.get("/simulator/").status_code == 404
