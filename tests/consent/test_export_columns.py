"""The consent state on every exported message row (issue 20, item 5): for each person the
conversation reaches, their state on their sender now and at the message's time; masked as the
rest of the row; a bounded number of queries however many messages and people."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations_ops import exports
from conversations_ops.consent.services import consent_opt_in, consent_opt_out
from conversations_ops.masking import mask_numbers_in
from conversations_ops.models import Conversation, Message, Participant
from tests.helpers.ids import BUSINESS_SMS, BUSINESS_WHATSAPP, COURIER_SMS, CUSTOMER_WHATSAPP, make_sid
from tests.history.conftest import auditor, full_auditor, history  # noqa: F401 (fixtures)
from tests.history.helpers import export_url

pytestmark = pytest.mark.django_db


def download(client, fmt):
    response = client.get(export_url(fmt))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.fixture
def changes(history):  # noqa: F811
    """The customer wrote first between the invite and their reply, then texted STOP at the very
    moment of the courier's photo; the courier has nothing recorded."""
    noon = history.invite.date_created - timedelta(minutes=1)
    consent_opt_in(
        address=CUSTOMER_WHATSAPP,
        sender=BUSINESS_WHATSAPP,
        how="wrote_first",
        message_sid=make_sid("IM", 90),
        occurred_at=noon + timedelta(minutes=1, seconds=30),
    )
    consent_opt_out(
        address=CUSTOMER_WHATSAPP,
        sender=BUSINESS_WHATSAPP,
        how="keyword_opt_out",
        keyword="STOP",
        message_sid=make_sid("IM", 91),
        occurred_at=history.courier_photo.date_created,
    )
    return history


def _states(record, column):
    return {item["person"].split()[0]: item["state"] for item in record[column]}


def test_each_row_holds_each_persons_state_now_and_at_the_messages_time(full_auditor, changes):  # noqa: F811
    rows = {r["message_sid"]: r for r in json.loads(download(full_auditor, "json"))}

    invite, reply, photo = (rows[m.sid] for m in (changes.invite, changes.customer_reply, changes.courier_photo))
    assert _states(invite, "consent_now") == {"customer": "opted_out", "courier": "unknown"}
    assert _states(invite, "consent_at_message") == {"customer": "unknown", "courier": "unknown"}
    assert _states(reply, "consent_at_message") == {"customer": "opted_in", "courier": "unknown"}
    # A change at the message's very moment counts: the STOP message's own row reads opted_out.
    assert _states(photo, "consent_at_message") == {"customer": "opted_out", "courier": "unknown"}
    assert invite["consent_now"] == [
        {"person": f"customer {CUSTOMER_WHATSAPP}", "sender": BUSINESS_WHATSAPP, "state": "opted_out"},
        {"person": f"courier {COURIER_SMS}", "sender": BUSINESS_SMS, "state": "unknown"},
    ]
    # The other conversation's customer: nothing recorded; a chat agent holds no consent.
    assert rows[changes.old_question.sid]["consent_now"][0]["state"] == "unknown"
    assert len(rows[changes.old_question.sid]["consent_now"]) == 1


def test_the_csv_columns_are_masked_as_the_rest_of_the_row(auditor, full_auditor, changes):  # noqa: F811
    text = download(auditor, "csv").removeprefix("\ufeff")
    rows = {r["message_sid"]: r for r in csv.DictReader(io.StringIO(text))}
    assert list(next(iter(rows.values())))[-2:] == ["consent_now", "consent_at_message"]
    reply = rows[changes.customer_reply.sid]
    customer = f"customer whatsapp:+15•••••2661 on {mask_numbers_in(BUSINESS_WHATSAPP)}"
    courier = f"courier +49•••••6789 on {mask_numbers_in(BUSINESS_SMS)}"
    assert reply["consent_now"] == f"{customer}: opted_out; {courier}: unknown"
    assert reply["consent_at_message"] == f"{customer}: opted_in; {courier}: unknown"
    assert CUSTOMER_WHATSAPP not in text and "+15017122661" not in text

    whole = download(full_auditor, "csv")
    assert f"customer {CUSTOMER_WHATSAPP} on {BUSINESS_WHATSAPP}: opted_out" in whole


def _export_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        records = list(exports.history_records(Message.objects.order_by("pk"), user=user))
    assert records
    return len(queries)


def test_the_queries_do_not_grow_with_messages_or_people(auditor, changes):  # noqa: F811
    user = User.objects.get(username="auditor")
    _export_queries(user)  # the user's permissions, cached
    few = _export_queries(user)
    noon = changes.invite.date_created
    for n in range(20):
        person = f"whatsapp:+1501712{n + 3000:04d}"
        conversation = Conversation.objects.create(sid=make_sid("CH", 100 + n), sync_state="synced")
        Participant.objects.create(
            conversation=conversation,
            sid=make_sid("MB", 100 + n),
            role="customer",
            messaging_binding_type="whatsapp",
            messaging_binding_address=person,
            messaging_binding_proxy_address=BUSINESS_WHATSAPP,
        )
        consent_opt_out(
            address=person,
            sender=BUSINESS_WHATSAPP,
            how="keyword_opt_out",
            keyword="STOP",
            message_sid=make_sid("IM", 500 + n),
            occurred_at=noon,
        )
        consent_opt_in(
            address=person,
            sender=BUSINESS_WHATSAPP,
            how="keyword_opt_in",
            keyword="START",
            message_sid=make_sid("IM", 600 + n),
            occurred_at=noon + timedelta(minutes=5),
        )
        for i in range(3):
            Message.objects.create(
                conversation=conversation,
                sid=make_sid("IM", 1000 + 10 * n + i),
                index=i,
                author=person,
                direction="inbound",
                body="hello",
                date_created=noon + timedelta(minutes=2 * i + 1),
                sync_state="synced",
            )
    assert _export_queries(user) == few
    states = [
        r["consent_at_message"][0]["state"]
        for r in exports.history_records(
            Message.objects.filter(sid__in=[make_sid("IM", 1000 + i) for i in range(3)]).order_by("index"), user=user
        )
    ]
    assert states == ["opted_out", "opted_out", "opted_in"]
