"""The one django-environ object every settings module reads from."""

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
