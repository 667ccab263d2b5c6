"""The one django-environ object every settings module reads from."""

import re
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# A developer's .env is read when present; real deployments set the environment.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")


def database_config(url: str, *, conn_max_age: int = 60) -> dict:
    """One DATABASES entry from a URL, tuned for a web process and a worker writing at once.

    SQLite: WAL lets readers run beside the single writer, synchronous=NORMAL is
    crash-safe in WAL mode, IMMEDIATE takes the write lock at BEGIN so writers
    queue on `timeout` instead of failing a read->write upgrade, and a
    persistent connection avoids re-running the PRAGMAs on every request.
    Other databases: persistent connections, checked before reuse.
    """
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["CONN_MAX_AGE"] = 600
    else:
        config["CONN_MAX_AGE"] = conn_max_age
        config["CONN_HEALTH_CHECKS"] = True
    return config


# Values that only fill a slot: .env.example's and the usual "put yours here" words.
# Compared lower-cased, after stripping; the shapes below catch their variants.
PLACEHOLDERS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "change-me-to-50-random-characters",  # .env.example's DJANGO_SECRET_KEY
        "your-primary-auth-token",  # .env.example's TWILIO_AUTH_TOKEN
        "your_auth_token",
        "secret",
        "password",
        "token",
        "test",
        "testing",
        "example",
        "placeholder",
        "dummy",
        "fake",
        "sample",
        "todo",
        "tbd",
        "none",
        "null",
        "undefined",
        "default",
    }
)
# "change me...", "your ...", "replace me", "xxxx" anywhere (.env.example's ACxxxx...), "..."
# (a value cut short in a document), "<token>" and "{{ token }}" (templates left unfilled).
# "xxxx" is matched in lower case only: a random 50-character key holds "XxXx" by chance far
# more often than "xxxx".
_PLACEHOLDER_SHAPES = re.compile(
    r"(?i:^(?:change[-_ .]?me|replace[-_ .]?me|your[-_ .]))" r"|xxxx|\.\.\.|^<.*>$|^\{\{.*\}\}$"
)


def placeholder_reason(value: str) -> str:
    """Why `value` is a placeholder rather than a secret ("" when it looks like a real one).

    The one rule production settings apply to every secret: a value copied from
    .env.example or a guide, or typed to get past "is not set", must stop the start
    as surely as an empty one (a known auth token lets anyone sign webhooks)."""
    value = value.strip()
    if value.lower() in PLACEHOLDERS:
        return "a placeholder word"
    if _PLACEHOLDER_SHAPES.search(value):
        return "shaped like a placeholder (change-me, your-..., xxxx, ..., <...>)"
    if len(set(value)) == 1:
        return "one character repeated"
    return ""
