"""The inbox worker leaves the write gate and the CPU to webhook requests while
they arrive (recording comes first: Twilio gives a request 5 s and never
retries), and applies flat out when none is arriving."""

import os

import pytest
from django.db import connection

from conversations_ops import db_writes
from conversations_ops.webhooks import inbox as webhook_inbox
from tests.webhooks.builders import message_event, sid

from .signing import signed_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def pauses(settings, monkeypatch):
    settings.WEBHOOK_STEP_ASIDE_SECONDS = 0.25
    slept = []
    monkeypatch.setattr(webhook_inbox.time, "sleep", slept.append)
    if connection.vendor == "sqlite":
        os.utime(db_writes._gate_file("default").fileno(), (0, 0))  # no request took the gate lately
    return slept


def test_no_pause_when_no_request_is_arriving(pauses):
    webhook_inbox._step_aside()
    assert pauses == []


@pytest.mark.django_db(transaction=True)  # committed, as in production: the request stamps the gate
def test_a_pause_while_requests_are_being_recorded(client, pauses, settings):
    # A phone's message (Source SMS): a client's would be fetched for its template right
    # after, inline in tests, and the stamp this test reads would be older than the pause.
    response = signed_post(
        client, "conversations", message_event("onMessageAdded", sid("CH", 1), sid("IM", 1), index=0, source="SMS")
    )
    assert response.status_code == 200
    pauses.clear()  # the inline drain the request woke has paused too
    # "Recently" is the pause's length: a long one here, so a loaded machine's slow inline drain
    # (between the request's stamp and this call) cannot make the request look old.
    settings.WEBHOOK_STEP_ASIDE_SECONDS = 60
    webhook_inbox._step_aside()
    assert pauses == [60]


def test_no_pause_when_switched_off(client, pauses, settings):
    settings.WEBHOOK_STEP_ASIDE_SECONDS = 0
    signed_post(client, "conversations", message_event("onMessageAdded", sid("CH", 1), sid("IM", 1), index=0))
    webhook_inbox._step_aside()
    assert pauses == []
