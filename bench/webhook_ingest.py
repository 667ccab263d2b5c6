"""Webhook ingest benchmark: signed Twilio events per second vs a do-nothing view.

For each database (SQLite file, PostgreSQL): a fresh, migrated database;
gunicorn (sync workers, as production would run) serving the console with
one extra URL, /bench/noop/ (bench/webhook_urls.py: same middleware, form
parsed, nothing else); a real `manage.py qcluster` applying the events as
they arrive. wrk then POSTs for the same duration and connection count:

1. the do-nothing view (the denominator),
2. /webhooks/twilio/conversations/ with distinct, correctly signed
   onMessageAdded events (each sent once, so every request is a new event).

The figure is ingest rps / do-nothing rps, with p50/p99 from wrk. Afterwards
the script checks every 200 stored exactly one event and waits for the
worker to apply them all.

Needs wrk (`apt-get install wrk`) and, for PostgreSQL, a server reachable at
--postgres-url (a role allowed to create databases; `.ci/run` sets one up).

    .venv/bin/python bench/webhook_ingest.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/webhook_ingest.py --db sqlite --duration 10
    .venv/bin/python bench/webhook_ingest.py --no-worker          # ingest alone
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import requests
from databases import fresh_postgres
from processes import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WEBHOOK_PATH = "/webhooks/twilio/conversations/"
NOOP_PATH = "/bench/noop/"
BENCH_DB = "bench_webhooks"


def environment(database_url: str, port: int, q_workers: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_") and k != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.webhook_settings",
        DATABASE_URL=database_url,
        PORT=str(port),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        DJANGO_DEBUG="false",
        Q_WORKERS=str(q_workers),
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        PYTHONUNBUFFERED="1",
    )
    return env


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.post(url, data={"ping": "1"}, timeout=5)
            return
        except requests.RequestException:  # not listening yet, or still importing
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def signer():
    sys.path.insert(0, str(ROOT))
    from django.utils.datastructures import MultiValueDict
    from twilio.request_validator import RequestValidator

    from config.settings.base import SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN

    validator = RequestValidator(SIMULATOR_AUTH_TOKEN)

    def sign(url: str, pairs) -> str:
        multi = MultiValueDict()
        for key, value in pairs:
            multi.appendlist(key, value)
        return validator.compute_signature(url, multi)

    return SIMULATOR_ACCOUNT_SID, sign


def write_events(path: Path, count: int, port: int, conversations: int = 200) -> None:
    """`count` distinct onMessageAdded events (~600 bytes each, like Twilio's), signed for this server."""
    account, sign = signer()
    url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    with path.open("w") as out:
        for n in range(count):
            conv, index = n % conversations, n // conversations
            pairs = [
                ("AccountSid", account),
                ("EventType", "onMessageAdded"),
                ("Source", "SMS"),
                ("ConversationSid", f"CH{conv:032x}"),
                ("MessageSid", f"IM{n:032x}"),
                ("MessagingServiceSid", "MG" + "a" * 32),
                ("Index", str(index)),
                ("DateCreated", "2026-11-22T10:00:00.000Z"),
                ("Body", f"Order {conv}: update {index}, on the way"),
                ("Author", f"whatsapp:+1501712{conv:04d}"),
                ("ParticipantSid", f"MB{conv:032x}"),
                ("Attributes", f'{{"order": "{conv}"}}'),
            ]
            out.write(f"{WEBHOOK_PATH}\t{sign(url, pairs)}\t{urlencode(pairs)}\n")


def write_noop(source: Path, path: Path) -> None:
    with source.open() as src, path.open("w") as out:
        for line in src:
            _, sig, body = line.rstrip("\n").split("\t", 2)
            out.write(f"{NOOP_PATH}\t{sig}\t{body}\n")


WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(port: int, lines: Path, *, duration: int, connections: int, threads: int, pin: list[str]) -> dict:
    out = subprocess.run(
        [
            *pin,
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "webhook_events.lua"),
            f"http://127.0.0.1:{port}",
            "--",
            str(lines),
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = {p: float(v) * UNIT[u] for p, v, u in WRK_LATENCY.findall(out)}
    requests_done = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "requests": requests_done,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def django_query(env: dict, code: str) -> str:
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().splitlines()[-1]  # the last line: Django 5.2's shell may announce its imports


COUNTS = (
    "from conversations_ops.models import WebhookEvent as E;"
    "print(E.objects.count(), E.objects.filter(processing_state='pending').count(),"
    " E.objects.exclude(processing_state='pending').count())"
)


def wait_applied(env: dict, timeout: float) -> tuple[int, int, int, float]:
    started = time.monotonic()
    while True:
        stored, pending, processed = map(int, django_query(env, COUNTS).split())
        if pending == 0 or time.monotonic() - started > timeout:
            return stored, pending, processed, time.monotonic() - started
        time.sleep(1)


def prepare_database(kind: str, workdir: Path, postgres_url: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    return fresh_postgres(postgres_url, BENCH_DB)


def pinned(cpus: str | None) -> list[str]:
    return ["taskset", "-c", cpus] if cpus else []


def pin_postgres(cpus: str) -> None:
    """Moves the PostgreSQL server's processes (and the backends it forks from now on) to `cpus`."""
    pids = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout.split()
    for pid in pids:
        subprocess.run(["taskset", "-a", "-p", "-c", cpus, pid], capture_output=True)


def run(kind: str, args, workdir: Path) -> dict:
    port = free_port()
    web_cpus, back_cpus = ("0", "1") if args.topology == "split" else (None, None)
    if back_cpus and kind == "postgres":
        pin_postgres(back_cpus)
    env = environment(prepare_database(kind, workdir, args.postgres_url), port, args.q_workers)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    events, noop = workdir / f"events-{kind}.txt", workdir / f"noop-{kind}.txt"
    write_events(events, args.events, port)
    write_noop(events, noop)
    log = (Path(args.logs) if args.logs else workdir) / f"{kind}.log"
    web = start(
        [
            *pinned(web_cpus),
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.web_workers),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            *args.gunicorn.split(),
        ],
        env,
        log,
    )
    worker = None
    try:
        wait_for(f"http://127.0.0.1:{port}{NOOP_PATH}")
        if not args.no_worker:
            nice = ["nice", "-n", str(args.worker_nice)] if args.worker_nice else []
            worker = start([*pinned(back_cpus), *nice, PYTHON, "manage.py", "qcluster"], env, log)
            time.sleep(3)  # the cluster's start-up
        load = dict(duration=args.duration, connections=args.connections, threads=args.threads, pin=pinned(web_cpus))
        wrk(port, noop, **{**load, "duration": args.warmup})  # warm-up: connections, imports, caches
        baseline = wrk(port, noop, **load)
        ingest = wrk(port, events, **load)
        stored, pending, processed, drain = wait_applied(env, timeout=300 if worker else 0)
    finally:
        stop(worker)
        stop(web)
        if back_cpus and kind == "postgres":
            pin_postgres(",".join(str(n) for n in range(os.cpu_count() or 1)))
    return {
        "db": kind,
        "noop": baseline,
        "ingest": ingest,
        "stored": stored,
        "pending": pending,
        "processed": processed,
        "drain_s": drain,
        "worker": worker is not None,
    }


def report(results: list[dict], args) -> None:
    print(
        f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s; "
        f"gunicorn -w {args.web_workers} {args.gunicorn or '(sync)'}; "
        f"qcluster: {'off' if args.no_worker else f'{args.q_workers} workers, ORM broker'}\n"
    )
    print(
        "| database | do-nothing rps | p50 / p99 ms | ingest rps | p50 / p99 ms | ratio | non-2xx "
        "| stored = 200s | applied | drain after load s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for r in results:
        n, i = r["noop"], r["ingest"]
        ok = i["requests"] - i["non_2xx"]
        # wrk counts the 200s answered within the run; up to one request per
        # connection was still in flight at the end and was stored too.
        exact = ok <= r["stored"] <= ok + args.connections
        print(
            f"| {r['db']} | {n['rps']:,.0f} | {n['p50']:.1f} / {n['p99']:.1f} | {i['rps']:,.0f} | "
            f"{i['p50']:.1f} / {i['p99']:.1f} | {i['rps'] / n['rps']:.2f} | {i['non_2xx']} | "
            f"{'yes' if exact else 'NO'} ({r['stored']:,} / {ok:,}) | {r['processed']:,} | "
            f"{r['drain_s']:.0f} |"
        )
        if i["socket_errors"] or n["socket_errors"]:
            print(f"  socket errors: do-nothing {n['socket_errors'] or 0}; ingest {i['socket_errors'] or 0}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", "postgres://ops:ops@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--topology",
        choices=("shared", "split"),
        default="shared",
        help="shared: every process on every core; split: load generator and web server on "
        "core 0, task worker and PostgreSQL on core 1 (as production puts them on "
        "other machines)",
    )
    parser.add_argument("--web-workers", type=int, default=None, help="default: 2 x the web server's cores + 1")
    parser.add_argument("--gunicorn", default="", help='extra gunicorn arguments, e.g. "-k gthread --threads 4"')
    parser.add_argument("--q-workers", type=int, default=2)
    parser.add_argument(
        "--worker-nice", type=int, default=0, help="run the qcluster at this nice level (e.g. 10: web requests first)"
    )
    parser.add_argument("--events", type=int, default=60000, help="distinct signed events to prepare")
    parser.add_argument("--logs", default="", help="keep the server and worker logs in this folder")
    parser.add_argument("--no-worker", action="store_true", help="measure ingest without a qcluster running")
    args = parser.parse_args()
    if args.web_workers is None:
        args.web_workers = 3 if args.topology == "split" else 2 * (os.cpu_count() or 1) + 1
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
        for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
            results.append(run(kind, args, Path(tmp)))
            report(results[-1:], args)
    report(results, args)


if __name__ == "__main__":
    main()
