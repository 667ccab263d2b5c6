"""Pull benchmark: peak memory and speed of `twilio_pull` over a simulator holding N messages.

For each size: a fresh SQLite database in a temp directory, the simulator's
tables filled directly (20 conversations, 3 participants each, N/20
messages each), the console served on 127.0.0.1 (runserver: console and
simulator, as `make run`), then `manage.py twilio_pull --resources
conversations,participants,messages` run twice in a child process. Peak RSS
is the child's own ru_maxrss (os.wait4), so neither this script nor the
server is counted.

    .venv/bin/python bench/pull_memory.py                 # 10,000 and 100,000 messages
    .venv/bin/python bench/pull_memory.py --sizes 0,100000
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONVERSATIONS = 20
RESOURCES = "conversations,participants,messages"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(db_path: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}  # simulator mode
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{db_path}",
        PORT=str(port),
        DJANGO_DEBUG="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def fill(env: dict, messages: int) -> None:
    """Runs `--fill` in a child, so this process never loads Django with another database."""
    subprocess.run([PYTHON, __file__, "--fill", str(messages)], cwd=ROOT, env=env, check=True)


def fill_simulator(messages: int) -> None:
    """(child) Simulator rows straight into its tables: bulk_create is seconds, the REST API minutes."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from simulator import clock
    from simulator.engine import store
    from simulator.models import SimMessage
    from simulator.sids import new_sid

    per, base = messages // CONVERSATIONS, clock.now() - timedelta(days=2)
    for n in range(CONVERSATIONS):
        conv = store.create_conversation(friendly_name=f"Order {n}")
        customer = f"whatsapp:+1501712{n:04d}"
        store.add_participant(conv, address=customer, proxy_address="whatsapp:+14155550100")
        store.add_participant(conv, address=f"+1501713{n:04d}", proxy_address="+14155550101")
        store.add_participant(conv, identity="ops-agent")
        for start in range(0, per, 5000):
            SimMessage.objects.bulk_create(
                [
                    SimMessage(
                        sid=new_sid("IM"),
                        conversation=conv,
                        index=i,
                        author=customer if i % 2 else "ops-agent",
                        body=f"Message {i}: the courier is two streets away, ring at the blue door.",
                        attributes="{}",
                        date_created=base + timedelta(seconds=i),
                        date_updated=base + timedelta(seconds=i),
                    )
                    for i in range(start, min(start + 5000, per))
                ]
            )


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not start at {url}")


def measured_pull(env: dict) -> dict:
    started = time.monotonic()
    child = subprocess.Popen(
        [PYTHON, "manage.py", "twilio_pull", "--resources", RESOURCES, "--no-resume"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"twilio_pull failed:\n{output}")
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024, "summary": output.strip()}


def bench(messages: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="pull-bench-") as tmp:
        port = free_port()
        env = environment(Path(tmp) / "db.sqlite3", port)
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        fill(env, messages)
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/simulator/")
            return [{"messages": messages, "run": run, **measured_pull(env)} for run in ("first", "second")]
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated message counts")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)  # internal: the child that fills the DB
    args = parser.parse_args()
    if args.fill is not None:
        return fill_simulator(args.fill)
    sizes = [int(n) for n in args.sizes.split(",")]
    print("| messages | pull | wall s | messages/s | peak RSS MB | rows changed | messages line of the summary |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
    for size in sizes:
        for row in bench(size):
            rate = f"{row['messages'] / row['seconds']:,.0f}" if row["messages"] else "-"
            lines = row["summary"].splitlines()
            messages = next((line for line in lines if line.startswith("messages:")), "")
            print(
                f"| {row['messages']:,} | {row['run']} | {row['seconds']:.1f} | {rate} | "
                f"{row['peak_rss_mb']:.0f} | {changed(lines):,} | {messages} |",
                flush=True,
            )


def changed(summary_lines) -> int:
    """created + updated + deleted over every resource line ("conversations: 20 read, 20 created, ...")."""
    found = (re.search(rf"(\d+) {word}", line) for line in summary_lines for word in ("created", "updated", "deleted"))
    return sum(int(match.group(1)) for match in found if match)


if __name__ == "__main__":
    main()
