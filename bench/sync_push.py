"""Push benchmark: 1,000 outbox operations against the simulator with 50 ms latency.

A fresh SQLite database in a temp directory, console + simulator served on
127.0.0.1 by `manage.py runserver` (one process, so the simulator's in-memory
30 actions/s windows see every request), then C conversations x (1 create +
2 participants + M messages) queued through the outbox, one transaction per
conversation as a service would, and run by a real `manage.py qcluster` with
N workers (the production path: ORM broker) or by N threads of this process.
This script also plays the every-minute sweep (every 2 s) for operations
that went back to the outbox.

    .venv/bin/python bench/sync_push.py                            # 20 x 50 ops, qcluster, 4 workers
    .venv/bin/python bench/sync_push.py --workers 8
    .venv/bin/python bench/sync_push.py --conversations 1 --per-conversation 200   # one hot conversation
    .venv/bin/python bench/sync_push.py --mode threads --workers 8
    .venv/bin/python bench/sync_push.py --mode threads --conversations 1 --per-conversation 300 \
        --latency-ms 0 --no-pacing                                 # the 429s pacing prevents
"""

import argparse
import importlib.util
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from processes import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PACE_PER_SECOND = 25  # outbox/pacing.py: per conversation and per service


def prepare_environment(db_path: Path, port: int, workers: int) -> None:
    for name in [k for k in os.environ if k.startswith("TWILIO_")]:
        del os.environ[name]  # no credentials: simulator mode
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{db_path}",
        PORT=str(port),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        Q_WORKERS=str(workers),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )


def start(args: list[str], log: Path) -> subprocess.Popen:
    command = [PYTHON, *args] if args[0] == "-m" else [PYTHON, "manage.py", *args]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def serve_command(server: str, port: int) -> list[str]:
    if server == "gunicorn":
        return [
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "-k",
            "gthread",
            "--threads",
            "32",
            "--keep-alive",
            "30",
        ]
    return ["runserver", f"127.0.0.1:{port}", "--noreload"]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{url} did not come up")
        time.sleep(0.2)


def queue_scenario(conversations: int, per_conversation: int) -> None:
    """One transaction per conversation: create, two chat participants, the rest messages."""
    from django.db import transaction

    from conversations_ops.models import Conversation, Message, Participant
    from conversations_ops.outbox.queue import sync_operation_queue

    for n in range(conversations):
        with transaction.atomic():
            conversation = Conversation.objects.create(friendly_name=f"Order {n}")
            sync_operation_queue(target=conversation, operation="conversation.create")
            for who in ("customer", "courier"):
                person = Participant.objects.create(conversation=conversation, identity=f"{who}-{n}")
                sync_operation_queue(target=person, operation="participant.add")
            for k in range(per_conversation - 3):
                message = Message.objects.create(conversation=conversation, body=f"Update {k} on order {n}")
                sync_operation_queue(target=message, operation="message.send")


def run_threads(workers: int, work: queue.Queue, done: threading.Event) -> list[threading.Thread]:
    from django.db import connection

    from conversations_ops.outbox.runner import sync_operation_run

    def worker():
        while not done.is_set():
            try:
                pk = work.get(timeout=0.2)
            except queue.Empty:
                continue
            sync_operation_run(operation_id=pk)
        connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    return threads


def wait_until_done(timeout: float) -> None:
    from conversations_ops.models import OperationState, SyncOperation
    from conversations_ops.outbox.runner import sync_sweep

    deadline, next_sweep = time.monotonic() + timeout, 0.0
    live = (OperationState.PENDING, OperationState.RUNNING)
    while SyncOperation.objects.filter(state__in=live).exists():
        if time.monotonic() > deadline:
            raise SystemExit("timed out: operations still pending")
        if time.monotonic() > next_sweep:
            sync_sweep()  # the every-minute schedule, faster
            next_sweep = time.monotonic() + 2
        time.sleep(0.2)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def report(started_at, conversations: int, api_base: str, args) -> dict:
    from collections import defaultdict

    from conversations_ops.models import OperationState, SyncOperation

    ops = list(SyncOperation.objects.order_by("completed_at"))
    done = [op for op in ops if op.completed_at]
    wall = (max(op.completed_at for op in done) - started_at).total_seconds()
    chains = defaultdict(list)
    for op in done:
        chains[op.ordering_key].append(op.completed_at)
    # Within a conversation one operation starts when the previous one ends,
    # so the gap between completions is one operation's own time.
    service = [
        (b - a).total_seconds() * 1000 for times in chains.values() for a, b in zip(times, times[1:], strict=False)
    ]
    waited = [(op.completed_at - op.created_at).total_seconds() for op in done]
    return {
        "mode": f"{args.mode} x{args.workers}{' NO PACING' if args.no_pacing else ''}",
        "ops": len(ops),
        "succeeded": sum(op.state == OperationState.SUCCEEDED for op in ops),
        "failed": sum(op.state == OperationState.FAILED for op in ops),
        "wall_s": round(wall, 1),
        "ops_per_s": round(len(done) / wall, 1),
        "ceiling_ops_per_s": PACE_PER_SECOND * conversations,
        "op_ms_p50": round(percentile(service, 50)),
        "op_ms_p99": round(percentile(service, 99)),
        "queued_to_done_s_p50": round(percentile(waited, 50), 1),
        "queued_to_done_s_p99": round(percentile(waited, 99), 1),
        "retried_ops": sum(op.attempts > 0 for op in ops),
        "simulator_429s": requests.get(f"{api_base}/_control/ratelimit", timeout=10).json()["rate_limited"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--per-conversation", type=int, default=50, help="operations per conversation (>= 3)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--mode", choices=("qcluster", "threads"), default="qcluster")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument(
        "--no-pacing",
        action="store_true",
        help="(threads mode) switch the token buckets off, to see the 429s they prevent",
    )
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument(
        "--server",
        choices=("runserver", "gunicorn"),
        default="gunicorn" if importlib.util.find_spec("gunicorn") else "runserver",
        help="default gunicorn when installed (gthread, ONE process: the simulator's rate-limit "
        "windows live in memory); runserver is 4x slower per request",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sync-push-bench-"))
    port = free_port()
    prepare_environment(tmp / "bench.sqlite3", port, args.workers)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    server = start(serve_command(args.server, port), tmp / "server.log")
    processes = [server]
    try:
        api_base = f"http://127.0.0.1:{port}/simulator"
        wait_for(f"{api_base}/_control/faults")
        requests.post(f"{api_base}/_control/faults", json={"latency_ms": args.latency_ms}, timeout=10)
        requests.delete(f"{api_base}/_control/ratelimit", timeout=10)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.utils import timezone

        from conversations_ops.outbox import queue as outbox

        work, done = queue.Queue(), threading.Event()
        if args.mode == "qcluster":
            processes.append(start(["qcluster"], tmp / "qcluster.log"))
            time.sleep(3)  # cluster start-up is not what is measured
        else:
            outbox.async_task = lambda func, pk, **kwargs: work.put(pk)  # the "broker" is a queue
            if args.no_pacing:
                from conversations_ops.outbox import attempt as sync_attempt

                sync_attempt.pacing_key = lambda **kwargs: None
            run_threads(args.workers, work, done)
        started_at = timezone.now()
        queue_scenario(args.conversations, args.per_conversation)
        wait_until_done(args.timeout)
        done.set()
        results = report(started_at, args.conversations, api_base, args)
    finally:
        for process in processes:
            stop(process, grace=5)
    print(" | ".join(f"{key}={value}" for key, value in results.items()))
    print(f"logs and database: {tmp}")


if __name__ == "__main__":
    main()
