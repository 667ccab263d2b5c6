"""Message history as CSV or JSON, streamed: memory stays flat however many rows are exported.

The filtered queryset is read with `.iterator(chunk_size=...)` (a server-side cursor
on PostgreSQL, fetchmany on SQLite) and only the columns the export needs; each
chunk is described with three more queries (history_rows.describe_messages), and its
people's consent with three more (consent/at_messages.py), and written out before the next
is read. Numbers are masked as the viewer may see them.

Consent columns (issue 20, item 5): `consent_now` and `consent_at_message` hold, for each
person the conversation reaches over WhatsApp or SMS, their state on their sender at export
time and at the message's time: "customer whatsapp:+15•••••2661 on whatsapp:+14155550100:
opted_out" in the CSV, objects in the JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from itertools import islice

from .consent.at_messages import PersonConsent, consent_at_messages
from .masking import can_see_full_numbers, mask_data
from .selectors.history_rows import HistoryRow, describe_messages

CHUNK_ROWS = 1000
COLUMNS = (
    "message_sid",
    "conversation_sid",
    "conversation_unique_name",
    "index",
    "date_created",
    "author",
    "author_role",
    "sent_by_console",
    "channel",
    "direction",
    "kind",
    "template_sid",
    "template_name",
    "text",
    "media",
    "delivery_status",
    "delivery_summary",
    "failed_receipts",
    "consent_now",
    "consent_at_message",
)
# The only columns read: a wide row (attributes are up to 4 KB) is never loaded whole for nothing.
LOADED_FIELDS = (
    "sid",
    "conversation",
    "conversation__sid",
    "conversation__unique_name",
    "index",
    "date_created",
    "author",
    "attributes",
    "direction",
    "content_sid",
    "content_variables",
    "body",
    "media",
    "delivery",
    "sync_state",
)
SUMMARY_KEYS = ("total", "sent", "delivered", "read", "failed", "undelivered")


def _summary(delivery) -> str:
    if not isinstance(delivery, dict):
        return ""
    return ", ".join(f"{key} {delivery[key]}" for key in SUMMARY_KEYS if key in delivery)


def _receipts(row: HistoryRow) -> list[dict]:
    return [
        {
            "recipient": line.recipient,
            "participant_sid": line.participant_sid,
            "status": line.status,
            "error_code": line.error_code,
            "error": line.explanation.title if line.explanation else "",
        }
        for line in row.receipts
    ]


def _consent(people: tuple[PersonConsent, ...], moment: str) -> list[dict]:
    return [
        {"person": f"{p.role} {p.address}", "sender": p.sender, "state": p.now if moment == "now" else p.then}
        for p in people
    ]


def history_record(row: HistoryRow, consent: tuple[PersonConsent, ...] = ()) -> dict:
    """One message as exported; the list and the transcript show the same values."""
    message = row.message
    return {
        "message_sid": message.sid,
        "conversation_sid": message.conversation.sid,
        "conversation_unique_name": message.conversation.unique_name,
        "index": message.index,
        "date_created": message.date_created.isoformat() if message.date_created else None,
        "author": row.author,
        "author_role": row.role,
        "sent_by_console": row.on_behalf,
        "channel": list(row.channels),
        "direction": message.direction,
        "kind": "template" if row.template_sid else "free-form",
        "template_sid": row.template_sid,
        "template_name": row.template_name,
        "text": row.text,
        "media": [
            {"filename": m.get("filename", ""), "content_type": m.get("content_type", ""), "sid": m.get("sid", "")}
            for m in row.media
        ],
        "delivery_status": row.status,
        "delivery_summary": _summary(message.delivery),
        "failed_receipts": _receipts(row),
        "consent_now": _consent(consent, "now"),
        "consent_at_message": _consent(consent, "then"),
    }


def history_records(queryset, *, user) -> Iterator[dict]:
    rows = (
        queryset.select_related("conversation")
        .prefetch_related(None)
        .only(*LOADED_FIELDS)
        .iterator(chunk_size=CHUNK_ROWS)
    )
    # Every value of a record (the conversation's name too, not only the author) masked for staff
    # who may not see numbers: an export outlives the page, in mailboxes and shared drives.
    masked = not can_see_full_numbers(user)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        consent = consent_at_messages(chunk)
        for row in describe_messages(chunk, user=user):
            record = history_record(row, consent.get(row.message.pk, ()))
            yield mask_data(record) if masked else record


# A spreadsheet runs a cell that starts like a formula, and some skip leading blanks and
# line breaks before deciding, so " =1+1" and "\n=HYPERLINK(...)" may run too.
# So the cell is quoted when its first character after any blanks starts a formula, or when
# it starts with a tab or a line break itself (OWASP's CSV injection list). Phone numbers
# (masked or not) are left alone.
_FORMULA_START = ("=", "+", "-", "@")
_BLANKS = " \t\r\n"
_NUMBERLIKE = re.compile(r"^[+-]?[\d•]+$")


def formula_safe(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(_flat(item) for item in value)
    value = str(value)
    if _NUMBERLIKE.match(value):
        return value
    if value.startswith(tuple(_BLANKS[1:])) or value.lstrip(_BLANKS).startswith(_FORMULA_START):
        return "'" + value
    return value


def _flat(item) -> str:
    if not isinstance(item, dict):
        return str(item)
    if "recipient" in item:  # a failed receipt
        code = f" {item['error_code']}" if item["error_code"] else ""
        error = f" ({item['error']})" if item["error"] else ""
        return f"{item['recipient']}: {item['status']}{code}{error}"
    if "state" in item:  # a person's consent
        return f"{item['person']} on {item['sender']}: {item['state']}"
    return f"{item['filename'] or item['sid']} ({item['content_type']})"  # a media file


FLUSH_AT = 64 * 1024


def csv_chunks(records: Iterable[dict]) -> Iterator[str]:
    """CSV text in pieces of about 64 KB; a UTF-8 BOM first, so spreadsheets read the masked numbers' dots."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([formula_safe(record[column]) for column in COLUMNS])
        if buffer.tell() >= FLUSH_AT:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(records: Iterable[dict]) -> Iterator[str]:
    """A JSON array, one object per message, written as the rows come."""
    pieces, size, separator = ["["], 1, "\n"
    for record in records:
        piece = separator + json.dumps(record, ensure_ascii=False)
        pieces.append(piece)
        size += len(piece)
        separator = ",\n"
        if size >= FLUSH_AT:
            yield "".join(pieces)
            pieces, size = [], 0
    pieces.append("\n]\n")
    yield "".join(pieces)
