"""Raw Twilio webhook bodies from tests/fixtures/twilio/, and posting them signed.

Each file holds one form body exactly as Twilio posts it (urlencoded, one
line). Its name says where it goes and what it is:
`<endpoint>__<EventType or variant>[__<variant>].txt`, the endpoint being
`conversations`, `messaging` or `status` (tests/webhooks/signing.PATHS).
"""

from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from .signing import PATHS, sign

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "twilio"


def fixture_names() -> list[str]:
    """Every fixture, without the .txt, sorted."""
    return sorted(path.stem for path in FIXTURES_DIR.glob("*.txt"))


def fixture_body(name: str) -> str:
    """The raw urlencoded body (the trailing newline of the file is not part of it)."""
    return (FIXTURES_DIR / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


def fixture_pairs(name: str, **replace: str) -> list[tuple[str, str]]:
    """The (key, value) pairs in the order Twilio sent them; `replace` swaps values by key
    (e.g. `MessageSid=...` to make a second, distinct event from one fixture)."""
    pairs = parse_qsl(fixture_body(name), keep_blank_values=True, strict_parsing=True)
    unknown = set(replace) - {key for key, _ in pairs}
    if unknown:
        raise KeyError(f"{name} has no parameter(s) {sorted(unknown)}")
    return [(key, replace.get(key, value)) for key, value in pairs]


def fixture_endpoint(name: str) -> str:
    """conversations, messaging or status."""
    endpoint = name.split("__", 1)[0]
    if endpoint not in PATHS:
        raise ValueError(f"fixture {name!r} does not start with an endpoint ({', '.join(PATHS)})")
    return endpoint


def post_fixture(client, name: str, *, headers: dict | None = None, **replace: str):
    """POSTs the fixture signed with the auth token, to its endpoint: the file's bytes
    unchanged unless `replace` asks for other values."""
    path = PATHS[fixture_endpoint(name)]
    pairs = fixture_pairs(name, **replace)
    body = urlencode(pairs) if replace else fixture_body(name)
    extra = {f"HTTP_{key.upper().replace('-', '_')}": value for key, value in (headers or {}).items()}
    return client.post(
        path, body, content_type="application/x-www-form-urlencoded", HTTP_X_TWILIO_SIGNATURE=sign(path, pairs), **extra
    )
