"""Done-when (issue 17): with the simulator failing 20% of Twilio's answers (429, 500, 503,
timeouts, lost responses), five pairings started one after another from the shell command all
start, connect when the customer answers, and leave no duplicate on the simulator.

What makes it hold: the pre-flight's reads are retried (conversations_ops/twilio/reads.py),
every write goes through the outbox (retries with backoff, idempotent re-sends after a lost
answer: conversations_ops/outbox/), and webhooks are recorded once (their idempotency token).
"""

import os
import time
from collections import Counter

import pytest
import requests

from conversations_ops.models import Pairing, PairingState
from conversations_ops.outbox.runner import sync_push_due
from simulator.models import SimConversation, SimMessage, SimParticipant
from tests.helpers.pairings import ShellConsole
from tests.sync.helpers import faults

pytestmark = pytest.mark.slow

PAIRINGS = 5
# FAULT_SEED picks another repeatable draw of faults (e.g. to explore failures locally).
FAULTS = {
    "rate": 0.2,
    "kinds": ["429", "500", "503", "timeout", "lost_response"],
    "timeout_s": 1,
    "seed": int(os.environ.get("FAULT_SEED", 17)),
}


def customer(n: int) -> str:
    return f"whatsapp:+1501712{n:04d}"


def courier(n: int) -> str:
    return f"+1501713{n:04d}"  # SMS couriers: they read the relayed reply, so every message reaches someone


def start(seeded, n: int) -> Pairing:
    return ShellConsole().start(seeded, courier(n), customer=customer(n), auto_reply="One moment please")


def wait_for(pairing, state, people, timeout: float = 90) -> None:
    """What the worker does in production: runs due outbox operations (retries after faults
    included) and applies the webhooks that arrived, until the pairing is in that state."""
    deadline = time.monotonic() + timeout
    while True:
        pairing.refresh_from_db()
        if pairing.state == state:
            return
        assert time.monotonic() < deadline, f"pairing {pairing.pk} stuck in {pairing.state}"
        sync_push_due()
        people.settle()
        time.sleep(0.1)


def test_five_pairings_start_and_connect_despite_twenty_percent_faults(seeded, people, sim, settings):
    settings.TWILIO_HTTP_TIMEOUT = 0.5  # a timeout or a lost answer costs the client half a second
    faults(sim, FAULTS)

    pairings = []
    for n in range(PAIRINGS):
        pairing = start(seeded, n)  # the pre-flight's reads meet the faults too
        wait_for(pairing, PairingState.AWAITING_CUSTOMER, people)
        pairings.append(pairing)
    for n, pairing in enumerate(pairings):
        people.write(customer(n), "Yes, sure!")
        wait_for(pairing, PairingState.CONNECTED, people)

    injected = requests.get(f"{sim.api_base}/_control/faults", timeout=10).json()["counters"]
    faults(sim, None)
    assert sum(injected.values()) >= 5, injected  # the faults did happen

    # No duplicate on the simulator: one conversation per pairing, two people in each, and each
    # message the console sent exactly once.
    conversations = SimConversation.objects.filter(sid__in=[p.conversation.sid for p in pairings])
    assert conversations.count() == PAIRINGS == SimConversation.objects.count()
    for pairing in pairings:
        sid = pairing.conversation.sid
        assert SimParticipant.objects.filter(conversation__sid=sid).count() == 2
        bodies = Counter(
            (m.content_sid or m.body) for m in SimMessage.objects.filter(conversation__sid=sid) if m.author != ""
        )
        sent_by_console = [seeded["invite"].sid, "One moment please", seeded["connected"].sid]
        assert {key: bodies[key] for key in sent_by_console} == dict.fromkeys(sent_by_console, 1), bodies
        assert bodies["Yes, sure!"] == 1
    assert [p.state for p in Pairing.objects.order_by("pk")] == [PairingState.CONNECTED] * PAIRINGS
    assert people.received(customer(0))[-1] == "One moment please"
