"""Property-based fuzzing of the gate: whatever arrives, never a 500, and nothing
stored unless Twilio's signature holds.

Each example is one request through the Django test client. The test's
database transaction spans all examples, so each example starts by emptying
the inbox and the counters.
"""

from urllib.parse import parse_qsl, urlencode

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator, get_signature_algorithm

from conversations_ops.models import WebhookEvent, WebhookRejection
from conversations_ops.webhooks.recording import webhook_refusals_discard, webhook_refusals_pending

from .fixtures import fixture_body, fixture_names, fixture_pairs
from .signing import PATHS

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
SETTINGS_HEADER = "HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS"
SIGNING_KEYS = {"KS-fuzz": "fuzz-signing-secret"}

# Text that the client can send: any code point but lone surrogates (not UTF-8).
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
huge_text = st.builds(lambda ch, n: ch * n, st.characters(blacklist_categories=("Cs",)), st.integers(1000, 20_000))
event_types = st.one_of(
    st.sampled_from(
        [
            "onMessageAdded",
            "onMessageAdd",
            "onDeliveryUpdated",
            "onConversationStateUpdated",
            "onParticipantRemoved",
            "onUserAdded",
            "",
            " ",
            "onMessageAdded\n",
            "ON MESSAGE",
            "a" * 65,
            "onMessageAdded\x00",
            "𝓸𝓷𝓜𝓮𝓼𝓼𝓪𝓰𝓮",
        ]
    ),
    any_text,
)
sids = st.one_of(
    st.builds(
        lambda p, h: p + h,
        st.sampled_from(["CH", "IM", "MB", "DY", "SM", "MM", "ch", "XX", ""]),
        st.text("0123456789abcdefABCDEFg\n", min_size=0, max_size=34),
    ),
    any_text,
)
known_keys = st.sampled_from(
    [
        "EventType",
        "ConversationSid",
        "MessageSid",
        "ParticipantSid",
        "DeliveryReceiptSid",
        "MessageStatus",
        "Status",
        "DateUpdated",
        "StateTo",
        "StateUpdated",
        "Body",
        "Attributes",
        "Media",
        "Index",
        "AccountSid",
        "",
    ]
)
pairs_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("EventType"), event_types),
        st.tuples(st.sampled_from(["ConversationSid", "MessageSid", "ParticipantSid", "DeliveryReceiptSid"]), sids),
        st.tuples(known_keys, st.one_of(any_text, huge_text)),
        st.tuples(any_text, any_text),
    ),
    max_size=12,
)
endpoints = st.sampled_from(sorted(PATHS))
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
signatures = st.one_of(st.none(), st.just(""), any_text, st.text(BASE64, min_size=27, max_size=44))
settings_headers = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "algorithm=HMAC_SHA256",
            "key=KS-fuzz,algorithm=HMAC_SHA256",
            "key=KS-fuzz",
            "algorithm=HMAC_SHA1",
            "algorithm=hmac_sha256",
            "algorithm=MD5",
            ",,==,",
            "key=KS-other",
        ]
    ),
    any_text,
)


def _reset():
    WebhookEvent.objects.all().delete()
    WebhookRejection.objects.all().delete()
    webhook_refusals_discard()


def _secret(settings_header: str | None) -> str:
    """The signing key the header names (the last `key=`), when configured; else the auth token."""
    named = [
        value.strip()
        for name, _, value in (part.partition("=") for part in (settings_header or "").split(","))
        if name.strip() == "key"
    ]
    return SIGNING_KEYS.get(named[-1] if named else "", django_settings.TWILIO_AUTH_TOKEN)


def _valid_signature(path: str, pairs, settings_header: str | None) -> set[str]:
    """What the gate must accept for these pairs: the secret over PUBLIC_BASE_URL + path
    (with or without the default port), with the algorithm the header names."""
    algorithm = get_signature_algorithm(settings_header).upper() if settings_header else "HMAC_SHA1"
    if algorithm not in ("HMAC_SHA1", "HMAC_SHA256"):
        return set()
    # What Django will see: the pairs after a round trip through the form encoding.
    values = MultiValueDict()
    for key, value in parse_qsl(urlencode(pairs), keep_blank_values=True):
        values.appendlist(key, value)
    validator = RequestValidator(_secret(settings_header))
    url = django_settings.PUBLIC_BASE_URL + path
    return {
        validator.compute_signature(url, values, algorithm),
        validator.compute_signature(url.replace("://testserver/", "://testserver:80/"), values, algorithm),
    }


def _post(client, endpoint, pairs, signature, settings_header):
    extra = {}
    if signature is not None:
        extra["HTTP_X_TWILIO_SIGNATURE"] = signature
    if settings_header is not None:
        extra[SETTINGS_HEADER] = settings_header
    return client.post(PATHS[endpoint], urlencode(pairs), content_type="application/x-www-form-urlencoded", **extra)


def _sign(endpoint, pairs, settings_header):
    # Any of the accepted signatures; sorted so the choice does not depend on set order.
    return sorted(_valid_signature(PATHS[endpoint], pairs, settings_header))[0]


@pytest.fixture
def signing_keys(settings):
    settings.TWILIO_WEBHOOK_SIGNING_KEYS = SIGNING_KEYS


@FUZZ
@given(endpoint=endpoints, pairs=pairs_strategy, signature=signatures, settings_header=settings_headers)
@example(
    endpoint="conversations",
    pairs=fixture_pairs("conversations__onMessageAdded__text"),
    signature="",
    settings_header=None,
)
def test_arbitrary_requests_never_500_and_store_only_when_signed(
    signing_keys, endpoint, pairs, signature, settings_header
):
    _reset()
    response = _post(Client(raise_request_exception=True), endpoint, pairs, signature, settings_header)

    assert response.status_code in (200, 400, 403, 413)
    signed = signature in _valid_signature(PATHS[endpoint], pairs, settings_header)
    if not signed:
        assert response.status_code != 200
        assert WebhookEvent.objects.count() == 0
        assert sum(webhook_refusals_pending().values()) == 1


@FUZZ
@given(
    endpoint=endpoints,
    pairs=pairs_strategy,
    settings_header=st.sampled_from([None, "key=KS-fuzz,algorithm=HMAC_SHA256", "algorithm=HMAC_SHA256"]),
)
@example(endpoint="conversations", pairs=[("EventType", "onMessageAdded\n")], settings_header=None)
@example(
    endpoint="conversations",
    settings_header=None,
    pairs=[("ConversationSid", ""), ("EventType", "onMessageAdd"), ("ConversationSid", "")],
)
@example(endpoint="status", pairs=[("MessageSid", "SM" + "a" * 32), ("MessageStatus", "x\x00")], settings_header=None)
@example(endpoint="conversations", settings_header=None, pairs=[("EventType", "\U00010000" * 10922)] * 2)
def test_validly_signed_arbitrary_params_answer_200_or_400(signing_keys, endpoint, pairs, settings_header):
    _reset()
    signature = _sign(endpoint, pairs, settings_header)

    response = _post(Client(raise_request_exception=True), endpoint, pairs, signature, settings_header)

    if len(urlencode(pairs).encode()) > django_settings.WEBHOOK_MAX_BODY_BYTES:
        assert response.status_code == 413
        assert WebhookEvent.objects.count() == 0
        return
    assert response.status_code in (200, 400), response.content
    stored = WebhookEvent.objects.count()
    if response.status_code == 200:
        assert stored == 1
        event = WebhookEvent.objects.get()
        assert event.params == [list(p) for p in parse_qsl(urlencode(pairs), keep_blank_values=True)]
        assert len(event.dedup_key) <= 255 and len(event.event_type) <= 64
        assert all(len(sid) in (0, 34) for sid in (event.conversation_sid, event.message_sid, event.participant_sid))
    else:
        assert stored == 0
        assert webhook_refusals_pending() == {"malformed": 1}


@FUZZ
@given(name=st.sampled_from(fixture_names()), data=st.data())
def test_a_flipped_byte_in_body_or_signature_is_refused(name, data):
    """Byte-flip fuzzing of a genuine request gives 403 and no row,
    unless the flip left the decoded form unchanged (e.g. %3A -> %3a)."""
    _reset()
    body = fixture_body(name).encode()
    endpoint = name.split("__")[0]
    signature = _sign(endpoint, fixture_pairs(name), None).encode()
    target = data.draw(st.sampled_from(["body", "signature"]))
    original = body if target == "body" else signature
    position = data.draw(st.integers(0, len(original) - 1))
    mask = data.draw(st.integers(1, 255))
    flipped = bytearray(original)
    flipped[position] ^= mask
    if target == "body":
        body = bytes(flipped)
    else:
        signature = bytes(flipped)

    response = Client(raise_request_exception=True).generic(
        "POST",
        PATHS[endpoint],
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature.decode("latin-1"),
    )

    same_form = target == "body" and (
        parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True) == fixture_pairs(name)
    )
    if same_form:
        assert response.status_code == 200
    else:
        assert response.status_code in (400, 403), (target, position, mask)
        assert WebhookEvent.objects.count() == 0
