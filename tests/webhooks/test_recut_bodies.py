"""A captured signed request re-cut into another validly signed body is refused or stored once
(issue 18, item 3: "the dedup key cannot be changed by re-shaping a signed body").

Twilio signs the URL followed by the parameters' names and values run together, names sorted,
without separators, each name's distinct values sorted: `a=bc` and `ab=c` sign the same, and so
does a value sent twice. Each test takes a real request (tests/fixtures/twilio), posts it, then
posts every re-cut of it that keeps the signature: the boundary between a key parameter's value
and the next name moved by one to three characters either way, the next parameter folded into
the value, the value repeated. Each re-cut must be refused (400) or land on the stored event.
"""

import pytest

from conversations_ops.models import WebhookEvent
from conversations_ops.webhooks.parsing import (
    KNOWN_EVENTS,
    NATURAL_KEYS,
    EventParams,
    MalformedEvent,
    parse_event,
    signed_text,
)

from .fixtures import fixture_names, fixture_pairs
from .signing import PATHS, sign, signed_post

pytestmark = pytest.mark.django_db


def endpoint_of(name: str) -> str:
    return name.split("__")[0]


def ordered(pairs):
    """The body in the signature's order: names sorted, values sorted (what a re-cut works on)."""
    names = sorted({key for key, _ in pairs})
    return [(name, value) for name in names for value in sorted({v for k, v in pairs if k == name})]


def recuts(pairs, name: str):
    """Every re-cut of `pairs` around parameter `name` that keeps the signed text, each once."""
    body = ordered(pairs)
    at = next(i for i, (key, _) in enumerate(body) if key == name)
    value = body[at][1]
    following = body[at + 1] if at + 1 < len(body) else None
    found = []
    for n in (1, 2, 3):
        if n <= len(value):  # the value's end moves onto the next name (or a new, empty parameter)
            head, tail = value[:-n], value[-n:]
            if following:
                found.append([*body[:at], (name, head), (tail + following[0], following[1]), *body[at + 2 :]])
            else:
                found.append([*body[:at], (name, head), (tail, ""), *body[at + 1 :]])
        if following and n < len(following[0]):  # the next name's start moves onto the value
            found.append(
                [*body[:at], (name, value + following[0][:n]), (following[0][n:], following[1]), *body[at + 2 :]]
            )
    if following:  # the whole next parameter folded into the value
        found.append([*body[:at], (name, value + following[0] + following[1]), *body[at + 2 :]])
    found.append([*body, (name, value)])  # the value sent twice
    # Only the ones that really keep the signature (a re-cut that reorders the names does not).
    return [recut for recut in found if signed_text(EventParams(recut)) == signed_text(EventParams(body))]


def key_names(fixture: str) -> tuple[str, ...]:
    """EventType and the parameters of the fixture's natural key."""
    endpoint = endpoint_of(fixture)
    if endpoint == "messaging":
        return NATURAL_KEYS["messaging.inbound"]
    if endpoint == "status":
        return NATURAL_KEYS["message.status"]
    event_type = dict(fixture_pairs(fixture))["EventType"]
    return ("EventType", *NATURAL_KEYS.get(event_type, ()))


SIGNED_NAMES = [(fixture, name) for fixture in fixture_names() for name in key_names(fixture)]


@pytest.mark.parametrize(("fixture", "name"), SIGNED_NAMES, ids=[f"{f}-{n}" for f, n in SIGNED_NAMES])
def test_a_recut_of_a_signed_request_is_refused_or_stored_once(client, fixture, name):
    endpoint = endpoint_of(fixture)
    pairs = fixture_pairs(fixture)
    assert signed_post(client, endpoint, pairs).status_code == 200
    stored = WebhookEvent.objects.get()
    cuts = recuts(pairs, name)
    assert cuts, "no re-cut keeps the signature: the test would prove nothing"
    for recut in cuts:
        assert sign(PATHS[endpoint], recut) == sign(PATHS[endpoint], pairs)  # a valid signature, unchanged
        response = signed_post(client, endpoint, recut)
        assert response.status_code in (200, 400), (recut, response.content)
        assert list(WebhookEvent.objects.values_list("pk", "dedup_key")) == [(stored.pk, stored.dedup_key)], recut


def test_the_delivery_status_at_the_end_of_the_body_cannot_be_cut_short(client):
    """`Status=delivered` signs like `Status=deliver&ed=`: a new status for the same receipt."""
    pairs = [(k, v) for k, v in fixture_pairs("conversations__onDeliveryUpdated__delivered") if k < "Status"]
    pairs.append(("Status", "delivered"))
    assert signed_post(client, "conversations", pairs).status_code == 200
    recut = [*pairs[:-1], ("Status", "deliver"), ("ed", "")]
    assert sign(PATHS["conversations"], recut) == sign(PATHS["conversations"], pairs)
    response = signed_post(client, "conversations", recut)
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 1


def test_an_event_type_with_the_next_parameter_folded_in_is_refused(client):
    pairs = ordered(fixture_pairs("conversations__onMessageAdded__text"))
    at = next(i for i, (key, _) in enumerate(pairs) if key == "EventType")
    following = pairs[at + 1]
    recut = [*pairs[:at], ("EventType", "onMessageAdded" + following[0] + following[1]), *pairs[at + 2 :]]
    assert sign(PATHS["conversations"], recut) == sign(PATHS["conversations"], pairs)
    response = signed_post(client, "conversations", recut)
    assert response.status_code == 400
    assert b"ambiguous" in response.content
    assert not WebhookEvent.objects.exists()


OTHER_EVENTS = ["conversations__onMessageAdd__pre", "conversations__unknown__onMessageReactionAdded"]


@pytest.mark.parametrize("fixture", OTHER_EVENTS)
def test_the_digest_key_of_other_events_is_the_same_for_every_recut(fixture):
    """Pre-events and unknown types are keyed on a digest of what was signed: a re-cut anywhere
    in the body is refused or has the original's key."""
    pairs = fixture_pairs(fixture)
    original = parse_event("conversations", pairs)
    assert original.event_type not in NATURAL_KEYS
    body = ordered(pairs)
    tried = 0
    for name, _ in body:
        for recut in [list(reversed(body)), *recuts(pairs, name)]:
            tried += 1
            try:
                event = parse_event("conversations", recut)
            except MalformedEvent:
                continue
            assert event.dedup_key == original.dedup_key, recut
    assert tried > len(body)


def test_every_fixture_passes_the_stricter_reading():
    """Twilio's own requests are not refused: parameter names, key values and event types as Twilio sends them."""
    for fixture in fixture_names():
        event = parse_event(endpoint_of(fixture), fixture_pairs(fixture))
        assert event.event_type in KNOWN_EVENTS or "unknown" in fixture
