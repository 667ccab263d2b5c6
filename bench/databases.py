"""Fresh databases for the bench scripts (shared by them)."""

import re


def fresh_postgres(postgres_url: str, name: str) -> str:
    """Drops and creates the database `name` on the server of `postgres_url`; returns its URL."""
    import psycopg  # only the PostgreSQL runs need it

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return re.sub(r"/[^/]*$", f"/{name}", postgres_url)
