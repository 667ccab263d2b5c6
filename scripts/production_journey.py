#!/usr/bin/env python3
"""A pairing on the deployed shape, with a worker machine lost mid-burst (`.ci/run`).

What runs, each as its own process, as production runs it:
- the Twilio simulator standalone (scripts/run_simulator.sh, its own SQLite file);
- the console in production settings on PostgreSQL and Redis: the release step,
  gunicorn + WhiteNoise (scripts/serve.sh web) and TWO django-q2 clusters
  (scripts/serve.sh worker), as two worker machines would run them.

The journey: twilio_configure_webhooks; pull the senders and templates; a pairing
started with the shell command, answered from the customer's handset and
connected; then a burst of pushes (conversations and messages) during which one
worker is killed with SIGKILL. Then it checks: the pairing connected, every push
succeeded, no duplicate conversation, participant or message on the simulator,
/health/ answers 200, the admin login page and one of its hashed static files
answer 200. It prints its figures and exits 1 on the first broken promise.

Needs PostgreSQL and Redis reachable (JOURNEY_DATABASE_URL, JOURNEY_REDIS_URL; the
database is dropped and created again); run it from the repository root with the
venv's Python: `.venv/bin/python scripts/production_journey.py`.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SENDER, SMS_SENDER = "whatsapp:+14155238889", "+14155238887"  # what the simulator's seed creates
CUSTOMER, COURIER = "whatsapp:+15017122661", "+15017122663"  # a WhatsApp customer, an SMS courier
BURST_CONVERSATIONS, BURST_MESSAGES = 20, 40
# Short enough to wait out here; production keeps 120 s. The sweep (every minute)
# hands an expired claim to the surviving worker.
LEASE_SECONDS = 20
STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f} s] {text}", flush=True)


def fail(text: str) -> None:
    say(f"FAILED: {text}")
    raise SystemExit(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what: str, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


class Processes:
    """Child processes, each in its own group (a worker and the processes it forks die together)."""

    def __init__(self, logs: Path):
        self.logs, self.running = logs, {}

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = process
        return process

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        process = self.running.pop(name)
        if process.poll() is None:
            os.killpg(process.pid, sig)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill(name, signal.SIGTERM)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    name = parts.path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def start_simulator(processes: Processes, workdir: Path) -> dict:
    port = free_port()
    account = {"sid": "AC" + "7a" * 16, "token": "journey-simulator-token"}
    env = {
        **os.environ,
        "PYTHON": PYTHON,
        "SIMULATOR_PORT": str(port),
        "SIMULATOR_DATABASE_URL": f"sqlite:///{workdir / 'simulator.sqlite3'}",
        "SIMULATOR_ACCOUNT_SID": account["sid"],
        "SIMULATOR_AUTH_TOKEN": account["token"],
    }
    process = processes.start("simulator", [str(ROOT / "scripts" / "run_simulator.sh")], env)
    base = f"http://127.0.0.1:{port}"
    wait_for(
        lambda: (
            process.poll() is not None
            or _answers(f"{base}/conversations/v1/Conversations", auth=(account["sid"], account["token"]))
        ),
        "the simulator",
        90,
    )
    if process.poll() is not None:
        fail("the simulator exited:\n" + processes.log("simulator")[-3000:])
    printed = processes.log("simulator")
    if account["sid"] not in printed or account["token"] not in printed:
        fail("the simulator did not print its account SID and token")
    return {**account, "base": base}


def _answers(url: str, **kwargs) -> bool:
    try:
        return requests.get(url, timeout=3, **kwargs).status_code < 500
    except requests.RequestException:
        return False


def console_environment(simulator: dict, database_url: str, redis_url: str, port: int) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "DJANGO_", "CONSOLE_"))}
    return {
        **clean,
        "PYTHON": PYTHON,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "journey-" + os.urandom(24).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "Q_WORKERS": "2",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        # Plain HTTP on loopback: no TLS proxy in front here, so no redirect to https.
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": simulator["sid"],
        "TWILIO_AUTH_TOKEN": simulator["token"],
        "TWILIO_API_BASE_URL": simulator["base"],
        "SYNC_LEASE_SECONDS": str(LEASE_SECONDS),
        "CONSOLE_USER": "journey-admin",
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / f"journey-static-{port}"),
    }


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    if check and result.returncode != 0:
        fail(f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def pairing_state(env: dict, pairing_id: str) -> dict:
    out = manage(env, "pairing", "show", pairing_id, "--json").stdout
    return json.loads(out[out.index("{") :])


def outbox_counts(database_url: str) -> dict:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT state, count(*) FROM conversations_ops_syncoperation GROUP BY state")
        return dict(rows.fetchall())


BURST = f"""
from conversations_ops.models import Conversation
from conversations_ops.services.conversations import conversation_create
from conversations_ops.services.messages import message_send
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(username="journey-admin")
paired = Conversation.objects.get(sid="{{sid}}")
for n in range({BURST_CONVERSATIONS}):
    conversation_create(unique_name=f"journey-burst-{{n}}", friendly_name=f"Burst {{n}}", user=user)
for n in range({BURST_MESSAGES}):
    message_send(conversation=paired, body=f"journey burst message {{n}}", user=user)
"""


def listed(simulator: dict, path: str, key: str) -> list[dict]:
    """Every item of a simulator list, page by page (as the console pulls from Twilio)."""
    items, url = [], f"{simulator['base']}/conversations/v1/{path}?PageSize=100"
    while url:
        page = requests.get(url, auth=(simulator["sid"], simulator["token"]), timeout=30).json()
        items += page[key]
        url = page["meta"].get("next_page_url")
    return items


def duplicates(simulator: dict) -> dict:
    conversations = listed(simulator, "Conversations", "conversations")
    names = [c["unique_name"] for c in conversations if c["unique_name"]]
    found = {"conversations": len(names) - len(set(names)), "participants": 0, "messages": 0}
    for conversation in conversations:
        participants = listed(simulator, f"Conversations/{conversation['sid']}/Participants", "participants")
        bindings = [json.dumps(p["messaging_binding"], sort_keys=True) for p in participants if p["messaging_binding"]]
        found["participants"] += len(bindings) - len(set(bindings))
        messages = listed(simulator, f"Conversations/{conversation['sid']}/Messages", "messages")
        bodies = [m["body"] for m in messages if (m["body"] or "").startswith("journey burst message")]
        found["messages"] += len(bodies) - len(set(bodies))
    found["conversations_total"] = len(conversations)
    found["burst_conversations"] = sum(name.startswith("journey-burst-") for name in names)
    found["burst_messages"] = sum(
        (m["body"] or "").startswith("journey burst message")
        for c in conversations
        if c["unique_name"] and not c["unique_name"].startswith("journey-burst-")
        for m in listed(simulator, f"Conversations/{c['sid']}/Messages", "messages")
    )
    return found


def journey(processes: Processes, workdir: Path) -> dict:
    database_url = os.environ.get("JOURNEY_DATABASE_URL", "postgres://ops:ops@127.0.0.1:5432/conversations_ops_journey")
    redis_url = os.environ.get("JOURNEY_REDIS_URL", "redis://127.0.0.1:6379/3")
    figures = {}
    fresh_database(database_url)
    subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], capture_output=True, check=False)

    simulator = start_simulator(processes, workdir)
    say(f"simulator standalone at {simulator['base']} (account {simulator['sid']})")

    port = free_port()
    env = console_environment(simulator, database_url, redis_url, port)
    release = subprocess.run(
        [str(ROOT / "scripts" / "serve.sh"), "release"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if release.returncode != 0:
        fail("the release step failed:\n" + release.stdout[-2000:] + release.stderr[-3000:])
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_superuser('journey-admin', '', None)",
    )
    web = processes.start("web", [str(ROOT / "scripts" / "serve.sh"), "web"], env)
    for name in ("worker-a", "worker-b"):
        processes.start(name, [str(ROOT / "scripts" / "serve.sh"), "worker"], env)
    console = f"http://127.0.0.1:{port}"
    wait_for(lambda: web.poll() is not None or _answers(f"{console}/admin/login/"), "gunicorn", 60)
    if web.poll() is not None:
        fail("gunicorn exited:\n" + processes.log("web")[-3000:])
    say(f"console in production settings at {console}: gunicorn x2, two django-q2 clusters, PostgreSQL, Redis")

    manage(env, "twilio_configure_webhooks")
    manage(env, "twilio_pull", "--resources", "addresses,templates")
    templates = json.loads(
        manage(
            env,
            "shell",
            "-c",
            (
                "import json; from conversations_ops.models import Template; "
                "print(json.dumps({t.friendly_name: t.sid for t in Template.objects.all()}))"
            ),
        ).stdout.splitlines()[-1]
    )

    started = time.monotonic()
    pairing_id = (
        manage(
            env,
            "pairing",
            "start",
            "--sender",
            SENDER,
            "--customer",
            CUSTOMER,
            "--courier",
            COURIER,
            "--sms-sender",
            SMS_SENDER,
            "--invite-template",
            templates["courier_invite"],
            "--invite-variables",
            '{"1": "Robert", "2": "Alicia"}',
            "--connected-template",
            templates["courier_connected"],
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    wait_for(lambda: pairing_state(env, pairing_id)["state"] == "awaiting_customer", "the invite", 90, every=1)
    figures["invite_seconds"] = round(time.monotonic() - started, 1)
    say(f"pairing {pairing_id}: the customer was invited after {figures['invite_seconds']} s")
    answered = requests.post(
        f"{simulator['base']}/_control/inbound", timeout=30, data={"From": CUSTOMER, "To": SENDER, "Body": "Yes, sure!"}
    )
    if answered.status_code >= 300:
        fail(f"the customer's reply was refused: {answered.status_code} {answered.text[:300]}")
    replied = time.monotonic()
    shown = wait_for(
        lambda: (s := pairing_state(env, pairing_id))["state"] == "connected" and s, "the connection", 90, every=1
    )
    figures["connect_seconds"] = round(time.monotonic() - replied, 1)
    figures["pairing_seconds"] = round(time.monotonic() - started, 1)
    say(
        f"pairing connected {figures['connect_seconds']} s after the customer's reply "
        f"({figures['pairing_seconds']} s from start)"
    )

    before = outbox_counts(database_url).get("succeeded", 0)
    burst = BURST_CONVERSATIONS + BURST_MESSAGES
    burst_started = time.monotonic()
    # Queued from a shell while both workers push: the kill lands mid-burst.
    queueing = subprocess.Popen(
        [PYTHON, "manage.py", "shell", "-c", BURST.replace("{sid}", shown["conversation_sid"])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    say(f"queueing a burst of {BURST_CONVERSATIONS} conversations and {BURST_MESSAGES} messages")
    wait_for(
        lambda: outbox_counts(database_url).get("succeeded", 0) >= before + 10, "the burst to start", 120, every=0.05
    )
    at_kill = outbox_counts(database_url)
    processes.kill("worker-a")
    figures["killed_after_pushes"] = at_kill.get("succeeded", 0) - before
    figures["in_flight_at_kill"] = at_kill.get("running", 0)
    worker_a_ran = processes.log("worker-a").count("Processed 'conversations_ops.tasks.sync_operation_run'")
    say(
        f"worker-a killed with SIGKILL after {figures['killed_after_pushes']} of {burst} burst pushes "
        f"({figures['in_flight_at_kill']} in flight; worker-a had run {worker_a_ran} push tasks)"
    )
    if worker_a_ran == 0:
        fail("worker-a had pushed nothing before it was killed: the kill proves nothing")
    if queueing.wait(120) != 0:
        fail("queueing the burst failed:\n" + queueing.stderr.read()[-3000:])
    wait_for(
        lambda: not ({"pending", "running"} & set(outbox_counts(database_url))),
        "the outbox to drain",
        LEASE_SECONDS + 150,
        every=1,
    )
    figures["burst_seconds"] = round(time.monotonic() - burst_started, 1)
    counts = outbox_counts(database_url)
    figures["operations"] = counts
    say(f"outbox drained {figures['burst_seconds']} s after the burst was queued: {counts}")
    if counts.get("failed") or counts.get("cancelled"):
        fail(f"operations did not all succeed: {counts}")

    if pairing_state(env, pairing_id)["state"] != "connected":
        fail("the pairing is no longer connected")
    found = duplicates(simulator)
    figures["duplicates"] = {k: found[k] for k in ("conversations", "participants", "messages")}
    say(
        f"on the simulator: {found['conversations_total']} conversations, "
        f"{found['burst_conversations']} burst conversations, {found['burst_messages']} burst messages; "
        f"duplicates {figures['duplicates']}"
    )
    if any(figures["duplicates"].values()):
        fail(f"duplicates on the simulator: {figures['duplicates']}")
    if (found["burst_conversations"], found["burst_messages"]) != (BURST_CONVERSATIONS, BURST_MESSAGES):
        fail("the simulator did not receive every push exactly once")

    health = wait_for(
        lambda: (r := requests.get(f"{console}/health/", timeout=10)).status_code == 200 and r,
        "/health/ to answer 200",
        150,
        every=2,
    )
    figures["health"] = health.status_code
    say(f"/health/ 200: {health.text[:300]}")
    login = requests.get(f"{console}/admin/login/", timeout=10)
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
    if login.status_code != 200 or not stylesheet:
        fail(f"the admin login page answered {login.status_code} without its hashed stylesheet")
    css = requests.get(console + stylesheet.group(1), timeout=10)
    if css.status_code != 200 or "text/css" not in css.headers.get("Content-Type", ""):
        fail(f"{stylesheet.group(1)} answered {css.status_code}")
    say(f"admin login 200; {stylesheet.group(1)} 200 ({css.headers.get('Cache-Control')})")
    return figures


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="production-journey-"))
    processes = Processes(workdir)
    try:
        figures = journey(processes, workdir)
    except (SystemExit, Exception):
        for name in processes.running:
            print(f"--- last lines of {name}.log ---\n{processes.log(name)[-2500:]}", flush=True)
        raise
    finally:
        processes.stop_all()
    say("production journey passed: " + json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
