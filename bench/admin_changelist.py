"""Admin list pages on huge tables: the message and webhook event lists at 10,000
and 1,000,000 rows, queries per page and time per page.

For each database (SQLite file, PostgreSQL) and each size: a fresh migrated
database filled in SQL (one INSERT ... SELECT over a generated series per table:
N messages over N/1,000 conversations with two participants each (every fourth
message of a conversation a template), a receipt for
every tenth message (a fifth of those failed), and N webhook events of the usual
types, one in 100 failed). Then, in one process, Django's test client (DEBUG off, a
superuser) renders each list page several times after a warm-up; the figure is
the median time and the number of queries of one page, and the ratio of the
1,000,000-row median to the 10,000-row median.

    .venv/bin/python bench/admin_changelist.py                         # both databases
    .venv/bin/python bench/admin_changelist.py --db sqlite --sizes 10000,100000
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DB = "bench_changelist"
# Rows per conversation, per number and per failed state stay the same at every size, so a
# filtered page shows a full page of rows at 10,000 as at 1,000,000: the comparison is of
# table sizes, not of how many rows a page happens to hold.
MESSAGES_PER_CONVERSATION = 1000
FAILED_EVERY = 100  # one webhook event in 100 failed

# (label, list, query string): what staff open every day.
PAGES = [
    ("messages: newest", "message", ""),
    ("messages: page 3", "message", "?p=3"),
    ("messages: inbound, last 7 days", "message", "?direction__exact=inbound&when=7d"),
    ("messages: one conversation", "message", "?conversation__id__exact=7"),
    ("messages: failed deliveries", "message", "?delivery=failed"),
    ("messages: search a SID", "message", "?q=IM{n:032x}"),
    ("messages: search a number", "message", "?q=whatsapp%3A%2B15017120007"),
    ("events: newest", "webhookevent", ""),
    ("events: page 3", "webhookevent", "?p=3"),
    ("events: one type", "webhookevent", "?type=onDeliveryUpdated"),
    ("events: failed", "webhookevent", "?processing_state__exact=failed"),
    ("events: search a SID", "webhookevent", "?q=IM{n:032x}"),
]


def environment(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_") and k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="false",
        ALLOWED_HOSTS="testserver",
        PYTHONUNBUFFERED="1",
        PORT="8999",
    )
    return env


def prepare_database(kind: str, workdir: Path, postgres_url: str, size: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / f'changelist-{size}.sqlite3'}"
    from databases import fresh_postgres  # bench/ is on the path when this runs as a script

    return fresh_postgres(postgres_url, BENCH_DB)


def _hex(vendor: str, expr: str) -> str:
    """SQL for a 32-digit hex of an integer expression: the body of a SID."""
    return f"printf('%032x', {expr})" if vendor == "sqlite" else f"lpad(to_hex({expr}), 32, '0')"


def _pad4(expr: str) -> str:
    """SQL for the last four digits of an integer expression, zero-padded (SQLite and PostgreSQL alike:
    their substr() differ on a negative start)."""
    padded = f"('0000' || ({expr}))"
    return f"substr({padded}, length({padded}) - 3, 4)"


def _series(vendor: str, n: int) -> tuple[str, str]:
    """A FROM clause giving rows n = 1..N, and the SQL of a fixed-width hex of n."""
    if vendor == "sqlite":
        return (
            f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {n}) SELECT n FROM s) t",
            _hex(vendor, "n"),
        )
    return f"generate_series(1, {n}) AS t(n)", _hex(vendor, "n")


def fill(size: int) -> None:
    """(child) The rows, in SQL: a million ORM objects would take longer than the measurement."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    vendor = connection.vendor
    conversations = max(1, size // MESSAGES_PER_CONVERSATION)
    now = "CURRENT_TIMESTAMP"
    uuid = "lower(hex(randomblob(16)))" if vendor == "sqlite" else "md5(random()::text || n)::uuid"
    minutes = (
        "datetime('now', '-' || (n % 43200) || ' minutes')"
        if vendor == "sqlite"
        else "now() - (n % 43200) * interval '1 minute'"
    )
    mirror = f"'synced', '', {now}, {now}"  # sync_state, last_sync_error, created_at, updated_at
    mirror_cols = "sync_state, last_sync_error, created_at, updated_at"
    conv_from, hexn = _series(vendor, conversations)
    statements = [
        f"INSERT INTO conversations_ops_conversation (sid, local_id, {mirror_cols}, unique_name, friendly_name, "
        f"attributes, state, chat_service_sid, messaging_service_sid, timers_inactive, timers_closed, date_created) "
        f"SELECT 'CH' || {hexn}, {uuid}, {mirror}, 'order-' || n, 'Order ' || n, '{{}}', 'active', '', '', '', '', "
        f"{now} FROM {conv_from}",
        *(
            f"INSERT INTO conversations_ops_participant (sid, local_id, {mirror_cols}, conversation_id, identity, "
            f"messaging_binding_type, messaging_binding_address, messaging_binding_proxy_address, "
            f"messaging_binding_projected_address, attributes, role_sid, role) "
            f"SELECT '{prefix}' || {hexn}, {uuid}, {mirror}, n, '', '{kind}', {address}, {proxy}, '', '{{}}', '', "
            f"'{role}' FROM {conv_from}"
            for prefix, kind, address, proxy, role in (
                ("MB", "whatsapp", "'whatsapp:+1501712' || " + _pad4("n"), "'whatsapp:+14155238886'", "customer"),
                ("MC", "sms", "'+1501713' || " + _pad4("n"), "'+14155238887'", "courier"),
            )
        ),
    ]
    msg_from, hexn = _series(vendor, size)
    # Every other message is the conversation's customer's (it is conversation n % conversations + 1).
    author = f"CASE WHEN n % 2 = 0 THEN 'whatsapp:+1501712' || {_pad4(f'n % {conversations} + 1')} ELSE 'system' END"
    statements += [
        f'INSERT INTO conversations_ops_message (sid, local_id, {mirror_cols}, conversation_id, "index", author, '
        f"body, media_sid, content_sid, content_variables, attributes, subject, participant_sid, direction, "
        f"date_created) SELECT 'IM' || {hexn}, {uuid}, {mirror}, n % {conversations} + 1, n / {conversations}, "
        f"{author}, 'Order update ' || n, '', "
        f"CASE WHEN (n / {conversations}) % 4 = 0 THEN 'HX{'1' * 32}' ELSE '' END, '', '{{}}', '', "
        f"'', CASE WHEN n % 2 = 0 THEN 'inbound' ELSE 'outbound' END, {minutes} FROM {msg_from}",
        f"INSERT INTO conversations_ops_deliveryreceipt (sid, local_id, {mirror_cols}, message_id, participant_sid, "
        f"channel_message_sid, status, error_code, date_updated) SELECT 'DY' || {hexn}, {uuid}, {mirror}, n, '', "
        f"'SM' || {hexn}, CASE WHEN n % 50 = 0 THEN 'failed' ELSE 'delivered' END, "
        f"CASE WHEN n % 50 = 0 THEN 63016 END, {minutes} FROM {msg_from} WHERE n % 10 = 0",
        f"INSERT INTO conversations_ops_webhookevent (source, event_type, dedup_key, params, headers, "
        f"signature_valid, signature_algorithm, signed_url, received_at, conversation_sid, message_sid, "
        f"participant_sid, processing_state, processed_at, processing_error, outcome, attempts) "
        f"SELECT 'conversations', CASE WHEN n % 3 = 0 THEN 'onDeliveryUpdated' ELSE 'onMessageAdded' END, "
        f"'conversations:ev:' || n, '[]', '{{}}', TRUE, 'HMAC_SHA1', '', {minutes}, "
        f"'CH' || {_hex(vendor, f'n % {conversations} + 1')}, 'IM' || {hexn}, '', "
        f"CASE WHEN n % {FAILED_EVERY} = 0 THEN 'failed' ELSE 'processed' END, {minutes}, '', 'message stored', 1 "
        f"FROM {msg_from}",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql.replace("TRUE", "1") if vendor == "sqlite" else sql)
        cursor.execute("ANALYZE")  # planner statistics, as a database that grew to this size would have
    get_user_model().objects.create_superuser("bench", password="bench-password-123")


def measure(size: int, repeat: int) -> None:
    """(child) Each page rendered `repeat` times after one warm-up; prints one line per page."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    for label, model, query in PAGES:
        url = f"/admin/conversations_ops/{model}/" + query.format(n=size // 2)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            times.append(time.perf_counter() - started)
        rows = response.content.decode().count('name="_selected_action"')  # one checkbox per row shown
        print(f"RESULT\t{label}\t{statistics.median(times) * 1000:.1f}\t{len(queries)}\t{rows}")


def run_child(role: str, size: int, env: dict, repeat: int = 5) -> str:
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); sys.argv = ['x']; "
        f"import bench.admin_changelist as b; b.{role}({size}{', ' + str(repeat) if role == 'measure' else ''})"
    )
    out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{role} {size} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def bench(kind: str, sizes: list[int], args, workdir: Path) -> dict:
    results = {}
    for size in sizes:
        env = environment(prepare_database(kind, workdir, args.postgres_url, size))
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        started = time.monotonic()
        run_child("fill", size, env)
        print(f"{kind}: {size:,} rows filled in {time.monotonic() - started:.0f} s", flush=True)
        for line in run_child("measure", size, env, args.repeat).splitlines():
            if line.startswith("RESULT\t"):
                _, label, ms, queries, rows = line.split("\t")
                results[(label, size)] = (float(ms), int(queries), int(rows))
    return results


def report(kind: str, sizes: list[int], results: dict) -> None:
    small, large = sizes[0], sizes[-1]
    print(f"\n{kind}: median ms (queries) per page; ratio = {large:,} rows / {small:,} rows\n")
    print(f"| page | {small:,} rows: ms (queries) | {large:,} rows: ms (queries) | rows shown | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, _, _ in PAGES:
        a, b = results[(label, small)], results[(label, large)]
        shown = f"{a[2]} / {b[2]}" if a[2] != b[2] else str(a[2])
        print(f"| {label} | {a[0]:.0f} ({a[1]}) | {b[0]:.0f} ({b[1]}) | {shown} | {b[0] / a[0]:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", "postgres://ops:ops@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-changelist-") as tmp:
        for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
            report(kind, sizes, bench(kind, sizes, args, Path(tmp)))


if __name__ == "__main__":
    main()
