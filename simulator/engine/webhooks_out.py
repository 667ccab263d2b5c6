"""Signed webhooks, sent after the change that caused them has committed.

Twilio posts webhooks after the API call that caused them has answered. Here
each webhook is logged (SimWebhookDelivery) inside the caller's transaction,
queued when that transaction commits, and sent by ONE background thread of
this process, so a slow receiver never slows the REST API down.

By default webhooks keep their order (onMessageAdded before its onDeliveryUpdated)
and go once each. Twilio promises neither: its status callbacks are not sent in
order (a Twilio maintainer: "StatusCallback webhooks aren't guaranteed to be sent in
order", https://github.com/twilio-labs/twilio-firebase-extensions/pull/21) and a
webhook may come again (the I-Twilio-Idempotency-Token header exists "to distinguish
retry attempts", https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).
The control API's switch (delivery_settings: webhooks.order, duplicates, hold_ms, seed)
makes the thread gather what is queued for `hold_ms`, send it reversed or shuffled, and
send a share of it twice (a duplicate: the same signed request and token, logged as its
own row with `duplicate_of`).
"""

import logging
import queue
import random
import threading
import time
import uuid
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from twilio.request_validator import RequestValidator

from simulator.engine import delivery_settings
from simulator.models import SimWebhookDelivery

logger = logging.getLogger(__name__)

_queue: queue.Queue = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()


def timeout_seconds() -> float:
    # A setting only so tests can shorten it; nothing else should change it.
    return settings.SIMULATOR_WEBHOOK_TIMEOUT


def signed_url(url: str, method: str, params) -> str:
    """The URL Twilio requests: for GET the parameters travel in the query string."""
    if method != "GET" or not params:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode([tuple(pair) for pair in params])}"


def sign(url: str, method: str, params) -> str:
    """X-Twilio-Signature exactly as twilio's RequestValidator checks it.

    POST signs URL + sorted form parameters; GET signs the full URL only.
    """
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    if method == "GET":
        return validator.compute_signature(signed_url(url, method, params), {})
    multi = MultiValueDict()
    for key, value in params:
        multi.appendlist(key, value)
    return validator.compute_signature(url, multi)


def send(
    *, kind: str, event_type: str, url: str, params, method: str = "POST", conversation_sid: str = ""
) -> SimWebhookDelivery:
    """Log one webhook now and send it once the current transaction commits."""
    method = (method or "POST").upper()
    pairs = [[str(key), "" if value is None else str(value)] for key, value in params]
    row = SimWebhookDelivery.objects.create(
        kind=kind,
        event_type=event_type,
        url=url,
        method=method,
        params=pairs,
        signature=sign(url, method, pairs),
        conversation_sid=conversation_sid or "",
        idempotency_token=uuid.uuid4().hex,
    )
    transaction.on_commit(lambda: _enqueue(row.pk))
    return row


def log_only(*, kind: str, event_type: str, url: str, params, note: str, conversation_sid: str = "") -> None:
    """A delivery the simulator cannot perform (a Studio flow): recorded, never sent."""
    SimWebhookDelivery.objects.create(
        kind=kind,
        event_type=event_type,
        url=url,
        method="POST",
        params=[[str(k), "" if v is None else str(v)] for k, v in params],
        error=note[:500],
        conversation_sid=conversation_sid or "",
    )


def drain(timeout: float = 10) -> bool:
    """Waits until every queued webhook has been sent; False if time ran out."""
    deadline = time.monotonic() + timeout
    with _queue.all_tasks_done:
        while _queue.unfinished_tasks:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            _queue.all_tasks_done.wait(remaining)
    return True


def _enqueue(pk: int) -> None:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="simulator-webhooks", daemon=True)
            _worker.start()
    _queue.put(pk)


def _run() -> None:
    while True:
        batch = [_queue.get()]
        try:
            switch = _switch()
            hold = float(switch["hold_ms"] or 0) / 1000 if switch["order"] != "in_order" else 0
            deadline = time.monotonic() + hold
            while hold and (remaining := deadline - time.monotonic()) > 0:
                try:
                    batch.append(_queue.get(timeout=remaining))
                except queue.Empty:
                    break
            for pk, duplicate in arrange(batch, switch):
                try:
                    _deliver(_duplicate(pk) if duplicate else pk)
                except Exception:  # one bad delivery must not stop the ones behind it
                    logger.exception("Simulator webhook delivery %s failed", pk)
        finally:
            # This thread's own connections: never leave them open between jobs.
            connections.close_all()
            for _ in batch:
                _queue.task_done()


def _switch() -> dict:
    try:
        return delivery_settings.webhook_switch()
    except Exception:  # the switch's table is unreachable (a test's database going): in order
        logger.exception("Simulator webhook switch unreadable; sending in order")
        return {"order": "in_order", "duplicates": 0.0, "hold_ms": 0, "seed": None}


def arrange(batch: list[int], switch: dict) -> list[tuple[int, bool]]:
    """The order a batch leaves in, as (delivery id, is a duplicate): in order, reversed or
    shuffled; with `duplicates`, that share of them is sent a second time (right after the
    first in order, else at the end of the batch, out of order too)."""
    seed = switch.get("seed")
    rng = random.Random(f"{seed}:{batch[0]}") if seed is not None else random.Random()
    order = list(batch)
    if switch["order"] == "reversed":
        order.reverse()
    elif switch["order"] == "shuffled":
        rng.shuffle(order)
    rate = float(switch.get("duplicates") or 0)
    twice = [pk for pk in order if rate and rng.random() < rate]
    if switch["order"] == "in_order":
        return [item for pk in order for item in ([(pk, False), (pk, True)] if pk in twice else [(pk, False)])]
    return [(pk, False) for pk in order] + [(pk, True) for pk in twice]


def _duplicate(pk: int) -> int | None:
    """A second delivery of webhook `pk`: the same signed request and idempotency token."""
    row = SimWebhookDelivery.objects.filter(pk=pk).first()
    if row is None:
        return None
    copy = SimWebhookDelivery.objects.create(
        kind=row.kind,
        event_type=row.event_type,
        url=row.url,
        method=row.method,
        params=row.params,
        signature=row.signature,
        conversation_sid=row.conversation_sid,
        idempotency_token=row.idempotency_token,
        duplicate_of=row,
    )
    return copy.pk


def _deliver(pk: int | None) -> None:
    row = SimWebhookDelivery.objects.filter(pk=pk).first() if pk is not None else None
    if row is None:  # wiped by a reset while queued
        return
    params = [tuple(pair) for pair in row.params]
    headers = {
        "X-Twilio-Signature": row.signature,
        # One token per webhook; a duplicate (the switch) carries its original's.
        "I-Twilio-Idempotency-Token": row.idempotency_token or uuid.uuid4().hex,
        "User-Agent": "TwilioProxy/1.1 (simulated)",
    }
    session = requests.Session()
    session.trust_env = False  # local webhooks must not go through an HTTP proxy
    started = time.monotonic()
    status_code, excerpt, error = None, "", ""
    try:
        if row.method == "GET":
            response = session.get(
                signed_url(row.url, "GET", params), headers=headers, timeout=timeout_seconds(), allow_redirects=False
            )
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            response = session.post(
                row.url,
                data=urlencode(params).encode(),
                headers=headers,
                timeout=timeout_seconds(),
                allow_redirects=False,
            )
        status_code, excerpt = response.status_code, response.text[:200]
    except requests.Timeout:
        error = f"No answer within {timeout_seconds():g} s (Twilio gives up after 5 s and does not retry)"
    except requests.RequestException as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:500]
    finally:
        session.close()
    SimWebhookDelivery.objects.filter(pk=pk).update(
        status_code=status_code,
        response_excerpt=excerpt,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
        delivered_at=timezone.now(),
    )
