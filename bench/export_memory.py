"""History export benchmark: peak memory and time of the CSV and JSON exports of N messages.

For each size: a fresh SQLite database in a temp directory (migrated), filled
directly with bulk_create (50 conversations, each with a WhatsApp customer, an
SMS courier and a chat agent; N messages, inbound and outbound, a quarter of them
templates with variables, some with media; a receipt for each outbound message,
1 in 20 failed with 63016). Then each export is streamed through the real view
(the admin URL, Django's test client, a user of the Auditor group, so numbers are
masked) in a child process that reads `streaming_content` piece by piece. Peak
RSS is that child's own ru_maxrss (os.wait4): neither this script nor the filling
is counted. A child whose export matches nothing gives the floor (Django, the
admin, one request).

    .venv/bin/python bench/export_memory.py                 # 10,000 and 100,000 messages
    .venv/bin/python bench/export_memory.py --sizes 1000,50000
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONVERSATIONS = 50
BATCH = 5000
NOTHING = "?q=IM" + "f" * 32  # a message SID no row has: the export's floor


def environment(db_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}  # simulator mode
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{db_path}",
        DJANGO_DEBUG="false",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    return env


def _setup():
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()


def fill(messages: int) -> None:
    """(child) The rows straight into the tables: seconds with bulk_create."""
    _setup()
    from django.utils import timezone

    from conversations_ops.models import Conversation, DeliveryReceipt, Message, Participant, Template

    template = Template.objects.create(
        sid="HX" + "1" * 32,
        friendly_name="courier_invite",
        language="en",
        types={"twilio/text": {"body": "Hello {{1}}, {{2}} (your rider) is here."}},
        approval_status="approved",
        sync_state="synced",
    )
    conversations, people = [], {}
    for n in range(CONVERSATIONS):
        conversation = Conversation.objects.create(sid=f"CH{n:032x}", unique_name=f"order-{n}", sync_state="synced")
        customer = Participant.objects.create(
            conversation=conversation,
            sid=f"MB{3 * n:032x}",
            role="customer",
            messaging_binding_type="whatsapp",
            messaging_binding_address=f"whatsapp:+1501712{n:04d}",
            messaging_binding_proxy_address="whatsapp:+14155550100",
        )
        courier = Participant.objects.create(
            conversation=conversation,
            sid=f"MB{3 * n + 1:032x}",
            role="courier",
            messaging_binding_type="sms",
            messaging_binding_address=f"+4915123{n:06d}",
            messaging_binding_proxy_address="+14155550101",
        )
        Participant.objects.create(
            conversation=conversation,
            sid=f"MB{3 * n + 2:032x}",
            role="agent",
            identity=f"agent-{n}",
            sync_state="synced",
        )
        conversations.append(conversation)
        people[conversation.pk] = (customer, courier)
    start = timezone.now() - timedelta(days=30)
    for first in range(0, messages, BATCH):
        rows = [
            _message(i, conversations[i % CONVERSATIONS], people, template, start)
            for i in range(first, min(first + BATCH, messages))
        ]
        Message.objects.bulk_create(rows)
        DeliveryReceipt.objects.bulk_create(
            [
                DeliveryReceipt(
                    message=m,
                    sid=f"DY{m.pk:032x}",
                    participant_sid=people[m.conversation_id][0].sid,
                    status="failed" if m.delivery["failed"] == "all" else "read",
                    error_code=63016 if m.delivery["failed"] == "all" else None,
                    sync_state="synced",
                )
                for m in rows
                if m.direction == "outbound"
            ]
        )


def _message(i, conversation, people, template, start):
    from conversations_ops.models import Message

    customer, courier = people[conversation.pk]
    inbound = i % 2 == 1
    fields = dict(
        conversation=conversation,
        sid=f"IM{i:032x}",
        index=i // CONVERSATIONS,
        sync_state="synced",
        date_created=start + timedelta(seconds=i),
        direction="inbound" if inbound else "outbound",
        author=(customer if i % 4 == 1 else courier).messaging_binding_address if inbound else "system",
    )
    if not inbound and i % 4 == 0:
        fields.update(
            content_sid=template.sid,
            content_variables=json.dumps({"1": "Robert", "2": "Alicia"}),
            attributes=json.dumps({"pairing": {"id": i, "kind": "invite"}}),
            author=courier.messaging_binding_address,
        )
    else:
        fields["body"] = (
            f"Message {i}: the courier is two streets away, ring at the blue door. Call +1501712{i % 10000:04d}."
        )
    if i % 10 == 3:
        fields["media"] = [{"sid": f"ME{i:032x}", "content_type": "image/jpeg", "filename": "door.jpg", "size": 48213}]
    failed = i % 20 == 0
    reached = "none" if failed else "all"
    fields["delivery"] = (
        None
        if inbound
        else {
            "total": 1,
            "sent": "all",
            "delivered": reached,
            "read": reached,
            "failed": "all" if failed else "none",
            "undelivered": "none",
        }
    )
    return Message(**fields)


def export(fmt: str, query: str) -> None:
    """(child) One export through the real view, read piece by piece; prints what it read."""
    _setup()
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.urls import reverse

    user, _ = User.objects.get_or_create(username="bench-auditor", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Auditor"))
    client = Client()
    client.force_login(user)
    started = time.monotonic()
    response = client.get(reverse("admin:conversations_ops_message_export", args=[fmt]) + query)
    assert response.status_code == 200 and response.streaming, response
    size = lines = pieces = 0
    for piece in response.streaming_content:
        size, lines, pieces = size + len(piece), lines + piece.count(b"\n"), pieces + 1
    response.close()
    print(
        json.dumps(
            {
                "seconds": time.monotonic() - started,
                "bytes": size,
                "rows": lines - (1 if fmt == "csv" else 2),
                "pieces": pieces,
            }
        )
    )


def measured(env: dict, fmt: str, query: str = "") -> dict:
    child = subprocess.Popen(
        [PYTHON, __file__, "--export", fmt, "--query", query],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"export {fmt} failed:\n{output}")
    return {**json.loads(output.strip().splitlines()[-1]), "peak_rss_mb": usage.ru_maxrss / 1024}


def bench(messages: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        env = environment(Path(tmp) / "db.sqlite3")
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            stderr=subprocess.DEVNULL,
        )
        started = time.monotonic()
        subprocess.run(
            [PYTHON, __file__, "--fill", str(messages)], cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL
        )
        print(f"# filled {messages:,} messages in {time.monotonic() - started:.0f} s", file=sys.stderr)
        runs = [("nothing (floor)", "csv", NOTHING), ("CSV", "csv", ""), ("JSON", "json", "")]
        return [{"messages": messages, "export": name, **measured(env, fmt, query)} for name, fmt, query in runs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated message counts")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)  # internal: the child that fills the DB
    parser.add_argument("--export", help=argparse.SUPPRESS)  # internal: the measured child
    parser.add_argument("--query", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill is not None:
        return fill(args.fill)
    if args.export:
        return export(args.export, args.query)
    print("| messages | export | rows | MB written | s | rows/s | peak RSS MB |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for size in (int(n) for n in args.sizes.split(",")):
        for row in bench(size):
            rate = f"{row['rows'] / row['seconds']:,.0f}" if row["rows"] else "-"
            print(
                f"| {row['messages']:,} | {row['export']} | {row['rows']:,} | {row['bytes'] / 2**20:.1f} | "
                f"{row['seconds']:.1f} | {rate} | {row['peak_rss_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
