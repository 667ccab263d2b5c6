"""The home page's charts: inline SVG, one bar per day and series, heights from known data."""

from datetime import datetime, time, timedelta

import pytest
from django.test import override_settings
from django.utils import dateformat, timezone

from conversations_ops.templatetags.dashboard_charts import BOTTOM, HEIGHT, TOP, nice_max
from tests.dashboard.helpers import page
from tests.dashboard.html_tree import parse

pytestmark = pytest.mark.django_db

PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


def chart(client, chart_id, **params):
    figure = parse(page(client, **params)).find("figure", id=chart_id)
    assert figure is not None, f"{chart_id} is on the page"
    return figure.find("svg")


def bars(svg, key) -> dict:
    """{ISO day: (value, height)} of one series."""
    return {
        rect.attrs["data-day"]: (int(rect.attrs["data-value"]), float(rect.attrs["height"]))
        for rect in svg.find_all("rect", cls=f"bar-{key}")
    }


def test_message_volume_per_day_inbound_and_outbound(admin_client, rows):
    now = timezone.localtime()
    today, yesterday = now.date(), now.date() - timedelta(days=1)
    for _ in range(3):
        rows.message(direction="inbound", date_created=now - timedelta(days=1))
    rows.message(direction="outbound", date_created=now)
    rows.message(direction="outbound", date_created=now - timedelta(days=20))  # before the 14 days

    svg = chart(admin_client, "chart-volume")

    inbound, outbound = bars(svg, "inbound"), bars(svg, "outbound")
    assert len(inbound) == len(outbound) == 14
    assert max(inbound) == today.isoformat() and min(inbound) == (today - timedelta(days=13)).isoformat()
    # The tallest bar reaches the top of the scale (nice_max(3) = 5 messages).
    assert inbound[yesterday.isoformat()] == (3, round(3 / 5 * PLOT_HEIGHT, 1))
    assert outbound[today.isoformat()] == (1, round(1 / 5 * PLOT_HEIGHT, 1))
    assert sum(value for value, _ in inbound.values()) == 3
    assert sum(value for value, _ in outbound.values()) == 1
    assert all(height == 0 for day, (_, height) in inbound.items() if day != yesterday.isoformat())
    assert [t.text for t in svg.find_all("text", cls="y-tick")] == ["0", "5"]
    # Accessible: a title and a label that say what the chart shows, with the totals.
    assert svg.attrs["role"] == "img"
    assert svg.attrs["aria-label"] == "Messages per day, last 14 days (UTC): 3 inbound, 1 outbound in total."
    assert svg.own_children("title")[0].text == svg.attrs["aria-label"]
    assert svg.find("text", cls="chart-title").text == "Messages per day"
    assert svg.find("text", cls="x-axis-label").text == "Day (UTC)"
    assert svg.find("text", cls="y-axis-label").text == "Messages"
    rect = svg.find("rect", cls="bar-inbound", **{"data-day": yesterday.isoformat()})
    assert rect.find("title").text == f"{dateformat.format(yesterday, 'D j M Y')}: 3 inbound"


def test_delivery_failures_per_day(admin_client, rows):
    now = timezone.localtime()
    rows.receipts(1, status="failed", date_updated=now)
    rows.receipts(2, status="undelivered", date_updated=now - timedelta(days=2))
    rows.receipts(4, status="delivered", date_updated=now)

    svg = chart(admin_client, "chart-failures")

    failures = bars(svg, "failed")
    assert len(failures) == 14  # one bar per day
    today, two_days_ago = now.date().isoformat(), (now.date() - timedelta(days=2)).isoformat()
    assert failures[today] == (1, round(1 / 2 * PLOT_HEIGHT, 1))
    assert failures[two_days_ago] == (2, PLOT_HEIGHT)
    assert sum(value for value, _ in failures.values()) == 3
    labels = [t.text for t in svg.find_all("text", cls="x-label")]
    assert labels[-1] == dateformat.format(now.date(), "j M")  # today is always labelled
    assert "Delivery failures per day" in svg.attrs["aria-label"]


@pytest.mark.parametrize(("asked", "days"), [("7", 7), ("14", 14), ("30", 30), ("99", 14), ("x", 14), (None, 14)])
def test_days_choice(admin_client, rows, asked, days):
    params = {"days": asked} if asked else {}
    html = parse(page(admin_client, **params))
    svg = html.find("figure", id="chart-failures").find("svg")
    assert len(bars(svg, "failed")) == days
    assert len(svg.find_all("text", cls="x-label")) <= 10  # labels do not crowd a 30-day chart
    current = html.find("p", cls="chart-days").find("a", **{"aria-current": "true"})
    assert current.text == f"{days} days" and current.attrs["href"] == f"?days={days}"


@override_settings(TIME_ZONE="Asia/Tokyo")
def test_days_are_the_console_time_zone(admin_client, rows):
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, time.min), tz)
    rows.message(direction="inbound", date_created=midnight - timedelta(minutes=1))  # yesterday in Tokyo
    rows.message(direction="inbound", date_created=midnight)  # today in Tokyo (yesterday 15:00 UTC)

    svg = chart(admin_client, "chart-volume")

    inbound = bars(svg, "inbound")
    assert inbound[today.isoformat()][0] == 1
    assert inbound[(today - timedelta(days=1)).isoformat()][0] == 1
    assert svg.find("text", cls="x-axis-label").text == "Day (Asia/Tokyo)"


def test_charts_need_view_permission(staff_client, rows):
    html = parse(page(staff_client(["message"])))
    assert html.find("figure", id="chart-volume") is not None
    assert html.find("figure", id="chart-failures") is None  # receipts not viewable

    html = parse(page(staff_client(["pairing"])))
    assert html.find("div", id="dashboard-charts") is None


def test_svg_numbers_ignore_the_language(admin_client, rows, settings):
    rows.message(direction="inbound")
    settings.LANGUAGE_CODE = "de"
    settings.USE_THOUSAND_SEPARATOR = True
    svg = chart(admin_client, "chart-volume")
    assert all("," not in rect.attrs["x"] for rect in svg.find_all("rect", cls="bar"))


@pytest.mark.parametrize(("value", "scale"), [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (11, 20), (240, 500)])
def test_scale_is_a_round_number(value, scale):
    assert nice_max(value) == scale
