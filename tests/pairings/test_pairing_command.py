"""`manage.py pairing start|show|close` as the README documents them, on the live simulator."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conversations_ops.models import Pairing, PairingState
from tests.helpers.pairings import COURIER, CUSTOMER

pytestmark = pytest.mark.slow


def run(*args) -> str:
    out = StringIO()
    call_command("pairing", *args, stdout=out)
    return out.getvalue()


def start_args(seeded, *, customer=CUSTOMER, courier=COURIER):
    return [
        "start",
        "--sender",
        seeded["sender"],
        "--customer",
        customer,
        "--courier",
        courier,
        "--invite-template",
        seeded["invite"].sid,
        "--invite-variables",
        '{"1":"Robert","2":"Alicia"}',
        "--connected-template",
        seeded["connected"].sid,
        "--auto-reply",
        "One moment please",
    ]


def test_start_prints_the_id_show_and_close(seeded, people):
    pairing_id = int(run(*start_args(seeded)).strip())
    pairing = Pairing.objects.get(pk=pairing_id)
    assert pairing.auto_reply == "One moment please"
    people.wait_until(lambda: Pairing.objects.get(pk=pairing_id).state == PairingState.AWAITING_CUSTOMER, "invite")

    shown = json.loads(run("show", str(pairing_id), "--json"))
    assert shown["state"] == "awaiting_customer"
    assert shown["conversation_sid"].startswith("CH")
    assert shown["customer"] == "whatsapp:+15•••••2661"  # masked
    assert [line["step"] for line in shown["timeline"]] == [
        "preflight",
        "conversation",
        "customer",
        "courier",
        "webhook",
        "invite",
    ]
    assert {line["status"] for line in shown["timeline"]} == {"Done"}
    assert "Awaiting customer" in run("show", str(pairing_id))

    assert "Closing" in run("close", str(pairing_id))
    people.wait_until(lambda: Pairing.objects.get(pk=pairing_id).state == PairingState.CLOSED, "close")


def test_a_refused_start_exits_2_with_every_reason(seeded):
    with pytest.raises(CommandError) as refused:
        run(*start_args(seeded, customer="whatsapp:+1234", courier="whatsapp:+1234"))
    assert refused.value.returncode == 2
    text = str(refused.value)
    assert "customer:" in text and "courier:" in text
    assert not Pairing.objects.exists()


def test_bad_variables_json_and_unknown_ids_exit_2(seeded):
    args = start_args(seeded)
    args[args.index("--invite-variables") + 1] = "{not json"
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert refused.value.returncode == 2 and "Not valid JSON" in str(refused.value)
    with pytest.raises(CommandError) as missing:
        run("show", "999")
    assert missing.value.returncode == 2
