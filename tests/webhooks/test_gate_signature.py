"""X-Twilio-Signature at the gate: what passes, what is refused with 403 and nothing stored.

Twilio signs PUBLIC_BASE_URL + path + query and every form value (repeated keys
too); a signing key with X-Twilio-Webhooks-Signature-Settings switches to
HMAC-SHA256 (docs/twilio-reference.md, Webhook signatures).
"""

from urllib.parse import urlencode

import pytest
from django.test import RequestFactory
from django.utils.datastructures import MultiValueDict
from twilio.request_validator import RequestValidator

from conversations_ops.models import WebhookEvent, WebhookRejection
from conversations_ops.webhooks.recording import webhook_refusals_flush
from conversations_ops.webhooks.signature import signature_check

from .fixtures import fixture_pairs
from .signing import PATHS, sign, signed_post

pytestmark = pytest.mark.django_db

TEXT = "conversations__onMessageAdded__text"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def refused_with_nothing_stored(response) -> None:
    assert response.status_code == 403, response.content
    assert WebhookEvent.objects.count() == 0
    webhook_refusals_flush()
    assert WebhookRejection.objects.get(reason="bad_signature").count >= 1


def multi(pairs) -> MultiValueDict:
    values = MultiValueDict()
    for key, value in pairs:
        values.appendlist(key, value)
    return values


def test_correct_signature_is_accepted(client):
    response = signed_post(client, "conversations", fixture_pairs(TEXT))
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.signature_valid and event.signature_algorithm == "HMAC_SHA1"
    assert event.signed_url == "http://testserver/webhooks/twilio/conversations/"
    assert webhook_refusals_flush() == 0 and not WebhookRejection.objects.exists()


def test_bad_signature_is_refused(client):
    response = signed_post(client, "conversations", fixture_pairs(TEXT), signature="bm90IGEgc2lnbmF0dXJl")
    refused_with_nothing_stored(response)
    assert b"does not match" in response.content


def test_missing_signature_is_refused(client):
    response = client.post(PATHS["conversations"], dict(fixture_pairs(TEXT)))
    refused_with_nothing_stored(response)
    assert b"no X-Twilio-Signature" in response.content


def test_empty_signature_is_refused(client):
    refused_with_nothing_stored(signed_post(client, "conversations", fixture_pairs(TEXT), signature=""))


def test_signature_of_another_endpoint_is_refused(client):
    pairs = fixture_pairs(TEXT)
    other = sign(PATHS["messaging"], pairs)
    refused_with_nothing_stored(signed_post(client, "conversations", pairs, signature=other))


def test_signature_for_another_host_is_refused(client):
    pairs = fixture_pairs(TEXT)
    elsewhere = RequestValidator("simulated-auth-token-not-a-secret").compute_signature(
        "https://attacker.example" + PATHS["conversations"], multi(pairs)
    )
    refused_with_nothing_stored(signed_post(client, "conversations", pairs, signature=elsewhere))


def test_signature_over_the_https_url_fails_when_twilio_was_given_http(client, settings):
    """The usual proxy mistake (behind TLS termination: Twilio error 11200, a 403): the scheme is signed."""
    pairs = fixture_pairs(TEXT)
    https = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        "https://testserver" + PATHS["conversations"], multi(pairs)
    )
    refused_with_nothing_stored(signed_post(client, "conversations", pairs, signature=https))


def test_query_string_is_part_of_the_signature(client):
    pairs = fixture_pairs(TEXT)
    path = PATHS["conversations"]
    signed_for_a = sign(f"{path}?tenant=a&x=1", pairs)

    assert signed_post(client, "conversations", pairs, signature=signed_for_a, query="tenant=a&x=1").status_code == 200
    WebhookEvent.objects.all().delete()
    for altered in ("tenant=b&x=1", "x=1&tenant=a"):
        refused_with_nothing_stored(signed_post(client, "conversations", pairs, signature=signed_for_a, query=altered))
    refused_with_nothing_stored(signed_post(client, "conversations", pairs, signature=signed_for_a))


def test_signature_made_with_another_token_is_refused(client):
    pairs = fixture_pairs(TEXT)
    other = sign(PATHS["conversations"], pairs, token="a-different-auth-token")
    refused_with_nothing_stored(signed_post(client, "conversations", pairs, signature=other))


@pytest.mark.parametrize("change", ["value", "extra", "missing"])
def test_tampered_form_is_refused(client, change):
    pairs = fixture_pairs(TEXT)
    signature = sign(PATHS["conversations"], pairs)
    if change == "value":
        pairs = [(k, "Send the parcel elsewhere" if k == "Body" else v) for k, v in pairs]
    elif change == "extra":
        pairs = [*pairs, ("Priority", "high")]
    else:
        pairs = [(k, v) for k, v in pairs if k != "Attributes"]
    refused_with_nothing_stored(signed_post(client, "conversations", pairs, signature=signature))


# Group MMS auto-creation: MessagingBinding.Address may come several times.
GROUP = [
    *fixture_pairs("conversations__onConversationAdded__auto_created"),
    ("MessagingBinding.Address", "+15005550006"),
]


def test_repeated_keys_are_all_signed_and_stored(client):
    response = signed_post(client, "conversations", GROUP)
    assert response.status_code == 200
    stored = WebhookEvent.objects.get().params
    assert [v for k, v in stored if k == "MessagingBinding.Address"] == ["whatsapp:+15017122661", "+15005550006"]


def test_signature_over_one_value_of_a_repeated_key_is_refused(client, settings):
    """A validator given request.POST.dict() sees only the last value (docs/twilio-reference.md)."""
    dict_signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        "http://testserver" + PATHS["conversations"], dict(GROUP)
    )
    refused_with_nothing_stored(signed_post(client, "conversations", GROUP, signature=dict_signature))


def test_dropping_one_value_of_a_repeated_key_is_refused(client):
    signature = sign(PATHS["conversations"], GROUP)
    refused_with_nothing_stored(signed_post(client, "conversations", GROUP[:-1], signature=signature))


# HMAC-SHA256 with a signing key (X-Twilio-Webhooks-Signature-Settings).


def test_sha256_with_a_configured_signing_key(client, settings):
    settings.TWILIO_WEBHOOK_SIGNING_KEYS = {"KS-primary": "the-shared-key-secret"}
    pairs = fixture_pairs(TEXT)
    signature = sign(PATHS["conversations"], pairs, token="the-shared-key-secret", algorithm="HMAC_SHA256")
    response = signed_post(
        client,
        "conversations",
        pairs,
        signature=signature,
        headers={SETTINGS_HEADER: "key=KS-primary,algorithm=HMAC_SHA256"},
    )
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.signature_algorithm == "HMAC_SHA256"
    assert event.headers[SETTINGS_HEADER] == "key=KS-primary,algorithm=HMAC_SHA256"


def test_sha256_with_the_auth_token_when_the_key_is_not_configured(client, settings):
    settings.TWILIO_WEBHOOK_SIGNING_KEYS = {}
    pairs = fixture_pairs(TEXT)
    signature = sign(PATHS["conversations"], pairs, algorithm="HMAC_SHA256")
    response = signed_post(
        client,
        "conversations",
        pairs,
        signature=signature,
        headers={SETTINGS_HEADER: "key=KS-unknown, algorithm=hmac_sha256"},
    )
    assert response.status_code == 200
    assert WebhookEvent.objects.get().signature_algorithm == "HMAC_SHA256"


def test_sha256_header_with_a_key_whose_secret_did_not_sign_is_refused(client, settings):
    settings.TWILIO_WEBHOOK_SIGNING_KEYS = {"KS-primary": "the-shared-key-secret"}
    pairs = fixture_pairs(TEXT)
    with_token = sign(PATHS["conversations"], pairs, algorithm="HMAC_SHA256")
    refused_with_nothing_stored(
        signed_post(
            client,
            "conversations",
            pairs,
            signature=with_token,
            headers={SETTINGS_HEADER: "key=KS-primary,algorithm=HMAC_SHA256"},
        )
    )


def test_sha1_signature_under_a_sha256_header_is_refused(client):
    pairs = fixture_pairs(TEXT)
    refused_with_nothing_stored(
        signed_post(client, "conversations", pairs, headers={SETTINGS_HEADER: "algorithm=HMAC_SHA256"})
    )


@pytest.mark.parametrize("header", ["algorithm=HMAC_MD5", "algorithm=NONE", "key=,algorithm=SHA1"])
def test_unsupported_algorithm_is_refused(client, header):
    refused_with_nothing_stored(
        signed_post(client, "conversations", fixture_pairs(TEXT), headers={SETTINGS_HEADER: header})
    )


def test_settings_header_without_algorithm_means_sha1(client):
    response = signed_post(client, "conversations", fixture_pairs(TEXT), headers={SETTINGS_HEADER: "key=KS1"})
    assert response.status_code == 200
    assert WebhookEvent.objects.get().signature_algorithm == "HMAC_SHA1"


# Twilio's published vectors (token "12345"), through webhooks/signature.py.

VECTOR_PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
    ("Caller", "+14158675309"),
]
DUPLICATES = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234"), ("Digits", "1234")]


def _check(settings, base_url, params, signature, path="/myapp.php?foo=1&bar=2"):
    settings.TWILIO_AUTH_TOKEN = "12345"
    settings.PUBLIC_BASE_URL = base_url
    request = RequestFactory().post(
        path, urlencode(params), content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE=signature
    )
    return signature_check(request)


@pytest.mark.parametrize(
    ("base_url", "params", "signature"),
    [
        ("https://mycompany.com", VECTOR_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        ("https://mycompany.com", DUPLICATES, "IK+Dwps556ElfBT0I3Rgjkr1wJU="),
        ("https://mycompany.com:1234", VECTOR_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),  # port removed
        ("http://mycompany.com:1234", VECTOR_PARAMS, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="),  # port kept
        ("https://mycompany.com", VECTOR_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="),  # signed with :443
        ("http://mycompany.com", VECTOR_PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4="),  # signed with :80
    ],
    ids=["form", "duplicates", "port-removed", "port-kept", "port-443-added", "port-80-added"],
)
def test_published_vectors(settings, base_url, params, signature):
    check = _check(settings, base_url, params, signature)
    assert check.valid, check
    assert check.url == f"{base_url}/myapp.php?foo=1&bar=2"


def test_vector_for_the_dict_of_duplicates_is_refused(settings):
    """`.dict()` drops repeated values and signs differently from the QueryDict (the duplicates vector)."""
    assert not _check(settings, "https://mycompany.com", DUPLICATES, "CgUWP726jjuqn1zmicHVG/3A2ak=").valid


def test_conversations_style_vector(settings):
    params = [
        ("AccountSid", "AC" + "0" * 32),
        ("EventType", "onMessageAdded"),
        ("ConversationSid", "CH" + "1" * 32),
        ("MessageSid", "IM" + "2" * 32),
        ("Index", "0"),
        ("Author", "whatsapp:+15005550006"),
        ("Body", "Hola"),
        ("Source", "SMS"),
        ("Attributes", "{}"),
        ("DateCreated", "2026-01-01T00:00:00.000Z"),
        ("ParticipantSid", "MB" + "3" * 32),
    ]
    check = _check(
        settings,
        "https://console.example.com",
        params,
        "ln+q4XdxbL0J/IvwG+q/l+Bz1sI=",
        path="/twilio/conversations/webhook",
    )
    assert check.valid


def test_vector_with_the_query_string_dropped_is_refused(settings):
    assert not _check(
        settings, "https://mycompany.com", VECTOR_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", path="/myapp.php"
    ).valid


def test_the_host_header_does_not_matter(client, settings):
    """The URL is PUBLIC_BASE_URL's, not the Host the request claims (docs/twilio-reference.md)."""
    settings.ALLOWED_HOSTS = ["internal-proxy", "testserver"]
    pairs = fixture_pairs(TEXT)
    response = signed_post(client, "conversations", pairs, headers={"Host": "internal-proxy:8000"})
    assert response.status_code == 200
