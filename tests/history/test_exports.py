"""CSV and JSON exports: the rows the list shows, masked as the viewer sees them, streamed, permission-gated."""

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse

from conversations_ops.exports import COLUMNS
from tests.helpers.ids import CUSTOMER_WHATSAPP, make_sid
from tests.history.helpers import export_url, listed

pytestmark = pytest.mark.django_db

FILTERED = "?conversation__id__exact={pk}&delivery=failed"


def download(client, fmt, query=""):
    response = client.get(export_url(fmt) + query)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="messages-')
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text):
    assert text.startswith("\ufeff")  # spreadsheets then read UTF-8 (the masked numbers' dots)
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize(
    "query",
    [
        "",
        FILTERED,
        "?author_role=customer",
        "?q=%2B15017122661",
        "?kind=template",
        "?channel=sms&direction__exact=inbound",
    ],
)
def test_exports_hold_exactly_the_rows_the_list_shows_in_its_order(auditor, history, query):
    query = query.format(pk=history.order.pk)
    shown = [m.sid for m in listed(auditor, query).context["cl"].result_list]
    assert [row["message_sid"] for row in csv_rows(download(auditor, "csv", query))] == shown
    assert [row["message_sid"] for row in json.loads(download(auditor, "json", query))] == shown


def test_an_exported_row_says_what_the_list_says(auditor, history):
    listed_rows = {m.sid: m.history for m in listed(auditor).context["cl"].result_list}
    exported = json.loads(download(auditor, "json"))
    (photo,) = [r for r in exported if r["message_sid"] == history.courier_photo.sid]
    row = listed_rows[history.courier_photo.sid]
    assert photo["author"] == row.author == "+49•••••6789"
    assert (photo["author_role"], photo["delivery_status"], photo["channel"]) == ("courier", "failed", ["sms"])
    assert photo["failed_receipts"] == [
        {
            "recipient": "customer whatsapp:+15•••••2661",
            "participant_sid": make_sid("MB", 1),
            "status": "failed",
            "error_code": 63016,
            "error": "Outside the WhatsApp 24-hour window",
        }
    ]
    assert photo["media"] == [{"filename": "door.jpg", "content_type": "image/jpeg", "sid": make_sid("ME")}]
    assert photo["conversation_sid"] == history.order.sid and photo["index"] == 2 and photo["kind"] == "free-form"


def test_the_csv_has_every_column_and_renders_templates(auditor, history):
    rows = {r["message_sid"]: r for r in csv_rows(download(auditor, "csv"))}
    assert list(next(iter(rows.values()))) == list(COLUMNS)
    invite = rows[history.invite.sid]
    assert (invite["kind"], invite["template_sid"], invite["template_name"]) == (
        "template",
        history.template.sid,
        "courier_invite",
    )
    assert invite["text"] == "Hello Robert, your courier is here."
    assert (invite["author_role"], invite["sent_by_console"], invite["delivery_status"]) == (
        "courier",
        "invite template",
        "read",
    )
    note = rows[history.agent_note.sid]
    assert note["channel"] == "whatsapp; sms" and note["delivery_status"] == "undelivered"
    assert note["failed_receipts"] == "courier +49•••••6789: undelivered 30003 (Phone unreachable)"
    assert "total 2, sent all, delivered some" in note["delivery_summary"]
    assert rows[history.courier_photo.sid]["media"] == "door.jpg (image/jpeg)"


def test_numbers_are_masked_without_the_permission_and_full_with_it(auditor, full_auditor, history):
    for fmt in ("csv", "json"):
        masked = download(auditor, fmt)
        assert "whatsapp:+15•••••2661" in masked
        assert CUSTOMER_WHATSAPP not in masked and "+15017122661" not in masked  # nor inside a text
        full = download(full_auditor, fmt)
        assert CUSTOMER_WHATSAPP in full and "call me on +15017122661" in full


def test_exporting_needs_export_history(ops, client, history):
    for fmt in ("csv", "json"):
        assert ops.get(export_url(fmt)).status_code == 403
    assert client.get(export_url("csv")).status_code == 302  # not logged in: the login page


def test_an_unknown_format_or_filter_is_refused(auditor, history):
    assert auditor.get(export_url("xml")).status_code == 404
    assert auditor.get(export_url("csv") + "?body__contains=door").status_code == 400


def test_formula_looking_text_is_defused_in_the_csv(auditor, history):
    history.system_notice.body = '=HYPERLINK("http://evil")'
    history.system_notice.save(update_fields=["body"])
    rows = {r["message_sid"]: r for r in csv_rows(download(auditor, "csv"))}
    assert rows[history.system_notice.sid]["text"] == '\'=HYPERLINK("http://evil")'
    assert rows[history.courier_photo.sid]["author"] == "+49•••••6789"  # a number stays a number


@pytest.mark.parametrize("lead", [" ", "  ", "\t", "\r", "\n", "\r\n", " \n\t"], ids=repr)
@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_formula_behind_blanks_or_a_line_break_is_defused_too(auditor, history, lead, start):
    body = f'{lead}{start}HYPERLINK("http://evil")'
    history.system_notice.body = body
    history.system_notice.save(update_fields=["body"])
    rows = {r["message_sid"]: r for r in csv_rows(download(auditor, "csv"))}
    assert rows[history.system_notice.sid]["text"] == "'" + body


def test_plain_text_with_leading_blanks_is_left_as_it_is(auditor, history):
    history.system_notice.body = "  see you at 5"
    history.system_notice.save(update_fields=["body"])
    rows = {r["message_sid"]: r for r in csv_rows(download(auditor, "csv"))}
    assert rows[history.system_notice.sid]["text"] == "  see you at 5"
