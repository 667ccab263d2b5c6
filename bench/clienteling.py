"""Clienteling pages on a big book: the advisor's inbox, the customer list, the response-time figures
and the home page's needs-reply panel with 1,000 and
10,000 customers and 1,000,000 messages (issue 19: within 1.5x of the 1,000-customer time, in a
bounded number of queries).

For each size: a fresh migrated SQLite file, filled in bulk (`build`): 100 customers per advisor,
10 advisors per team with one manager each, one WhatsApp sender; each customer has a conversation
(linked as CustomerConversation) with the customer's WhatsApp participant and the advisor's chat
participant; then 1,000,000 messages in one INSERT ... SELECT over a generated series, spread over
the customers' conversations and over the last 365 days, in turns of two customer messages and one
advisor reply (every conversation's newest turn may be unanswered). Customers, conversations and
participants are ORM `bulk_create`s, so fields added to those models later get their defaults; only
the million messages are SQL. A manager sees 1,000 customers and an advisor 100 at both sizes: what
changes is the size of the tables.

Then, in one process, Django's test client (DEBUG off) renders each page of PAGES as the named person
9 times after a warm-up; the figure is the median time and the queries of one render, and the
ratio 10,000 / 1,000 (the machine's other load moves single renders by tens of ms: hence the
median of 9). PAGES is a list of (label, who, URL): a page added later is one more line. The
customers' activity (what the inbox orders and shows) is computed after the messages, as
migration 0021's backfill does.

    .venv/bin/python bench/clienteling.py                              # 1,000 and 10,000 customers
    .venv/bin/python bench/clienteling.py --sizes 1000,10000 --messages 100000 --repeat 3
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.admin_changelist import _series, environment  # noqa: E402 - after the path is set

PYTHON = sys.executable
CUSTOMERS_PER_ADVISOR = 100
ADVISORS_PER_TEAM = 10
DAYS = 365
SENDER = "whatsapp:+14155238886"

# (label, who, URL): who is "manager" (of team 1: 1,000 customers), "advisor" (advisor 1: 100 customers)
# or "superuser" (everything).
PAGES = [
    ("inbox: advisor", "advisor", "/admin/inbox/"),
    ("inbox: advisor, needs reply", "advisor", "/admin/inbox/?show=needs_reply"),
    ("inbox: manager", "manager", "/admin/inbox/"),
    ("inbox: manager, one advisor", "manager", "/admin/inbox/?advisor={advisor_id}"),
    ("inbox: advisor, a customer", "advisor", "/admin/inbox/{customer_id}/"),
    ("inbox: advisor, transcript poll", "advisor", "/admin/inbox/{customer_id}/transcript/"),
    ("home: advisor (needs-reply panel)", "advisor", "/admin/"),
    ("customers: manager", "manager", "/admin/conversations_ops/customer/"),
    ("customers: manager, page 5", "manager", "/admin/conversations_ops/customer/?p=5"),
    ("customers: manager, search a name", "manager", "/admin/conversations_ops/customer/?q=Customer+500"),
    ("customers: advisor", "advisor", "/admin/conversations_ops/customer/"),
    ("customers: superuser", "superuser", "/admin/conversations_ops/customer/"),
    ("figures: advisor", "advisor", "/admin/clienteling/figures/"),
    ("figures: manager", "manager", "/admin/clienteling/figures/"),
    ("figures: superuser", "superuser", "/admin/clienteling/figures/"),
]


def build(customers: int, messages: int) -> None:
    """(child) The people and customers through the ORM in bulk, the messages in SQL."""
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from conversations_ops.models import (
        AddressConfiguration,
        ClientelingTeam,
        Conversation,
        Customer,
        CustomerConversation,
        CustomerSource,
        Participant,
        ParticipantRole,
        TeamMembership,
    )

    User.objects.create_superuser("bench", password="bench-password-123")
    sender = AddressConfiguration.objects.create(
        sid="IG" + "0" * 31 + "1", address=SENDER, type="whatsapp", sync_state="synced"
    )
    advisors_group, managers_group = Group.objects.get(name="Advisors"), Group.objects.get(name="Advisor managers")
    n_advisors = max(1, customers // CUSTOMERS_PER_ADVISOR)
    advisors = User.objects.bulk_create([User(username=f"advisor{i}", is_staff=True) for i in range(1, n_advisors + 1)])
    advisors_group.user_set.add(*advisors)
    for t in range(max(1, n_advisors // ADVISORS_PER_TEAM)):
        manager = User.objects.create_user(f"manager{t + 1}", password="bench-password-123", is_staff=True)
        manager.groups.add(managers_group)
        team = ClientelingTeam.objects.create(name=f"Team {t + 1}")
        team.senders.add(sender)
        team.managers.add(manager)
        members = advisors[t * ADVISORS_PER_TEAM : (t + 1) * ADVISORS_PER_TEAM]
        TeamMembership.objects.bulk_create([TeamMembership(team=team, advisor=a) for a in members])

    batch = 2000
    rows = Customer.objects.bulk_create(
        [
            Customer(
                name=f"Customer {n}",
                whatsapp_address=f"whatsapp:+1501{n:07d}",
                sender=sender,
                advisor=advisors[(n - 1) // CUSTOMERS_PER_ADVISOR],
                source=CustomerSource.IMPORT,
            )
            for n in range(1, customers + 1)
        ],
        batch_size=batch,
    )
    conversations = Conversation.objects.bulk_create(
        [
            Conversation(
                sid=f"CH{n:032x}", unique_name=f"clienteling-{c.local_id}-1", sync_state="synced", state="active"
            )
            for n, c in enumerate(rows, 1)
        ],
        batch_size=batch,
    )
    CustomerConversation.objects.bulk_create(
        [CustomerConversation(customer=c, conversation=v) for c, v in zip(rows, conversations, strict=True)],
        batch_size=batch,
    )
    Participant.objects.bulk_create(
        [
            p
            for n, (c, v) in enumerate(zip(rows, conversations, strict=True), 1)
            for p in (
                Participant(
                    sid=f"MB{n:032x}",
                    conversation=v,
                    messaging_binding_type="whatsapp",
                    messaging_binding_address=c.whatsapp_address,
                    messaging_binding_proxy_address=SENDER,
                    role=ParticipantRole.CUSTOMER,
                    sync_state="synced",
                ),
                Participant(
                    sid=f"MC{n:032x}",
                    conversation=v,
                    identity=c.advisor.username,
                    role=ParticipantRole.AGENT,
                    sync_state="synced",
                ),
            )
        ],
        batch_size=batch,
    )
    _messages(connection, customers, messages, first_conversation=conversations[0].pk)
    # The inbox reads each customer's activity (last messages, unread, awaiting reply): the
    # migration's backfill computes it the same way, customer by customer.
    from conversations_ops.mirror.activity import activity_update
    from conversations_ops.models import Message

    for customer in Customer.objects.order_by("pk").iterator(chunk_size=1000):
        activity_update(customer, Message.objects)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a database that grew to this size would have


def _messages(connection, customers: int, messages: int, *, first_conversation: int) -> None:
    """Message n goes to conversation n % customers, as its (n // customers)th message, at a time that
    grows with n over DAYS: each conversation's messages are in time order. Turn: two in, one out."""
    series, hexn = _series("sqlite", messages)
    turn = f"(n / {customers}) % 3"
    customer = f"'whatsapp:+1501' || substr('0000000' || (n % {customers} + 1), -7, 7)"
    advisor = f"'advisor' || ((n % {customers}) / {CUSTOMERS_PER_ADVISOR} + 1)"
    seconds_ago = f"({messages} - n) * {DAYS * 86400} / {messages}"
    sql = (
        "INSERT INTO conversations_ops_message (sid, local_id, sync_state, last_sync_error, created_at, updated_at, "
        'conversation_id, "index", author, body, media_sid, content_sid, content_variables, attributes, subject, '
        "participant_sid, direction, date_created) "
        f"SELECT 'IM' || {hexn}, lower(hex(randomblob(16))), 'synced', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
        f"n % {customers} + {first_conversation}, n / {customers}, "
        f"CASE WHEN {turn} < 2 THEN {customer} ELSE {advisor} END, 'Message ' || n, '', '', '', '{{}}', '', '', "
        f"CASE WHEN {turn} < 2 THEN 'inbound' ELSE 'outbound' END, "
        f"datetime('now', '-' || ({seconds_ago}) || ' seconds') FROM {series}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)


def measure(repeat: int) -> None:
    """(child) Each page rendered `repeat` times after one warm-up; prints one line per page."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    people = {"manager": "manager1", "advisor": "advisor1", "superuser": "bench"}
    clients = {}
    for who, username in people.items():
        clients[who] = Client()
        clients[who].force_login(User.objects.get(username=username))
    from conversations_ops.models import Customer

    advisor = User.objects.get(username=people["advisor"])
    ids = {"advisor_id": advisor.pk, "customer_id": Customer.objects.filter(advisor=advisor).order_by("pk")[0].pk}
    for label, who, url in PAGES:
        url = url.format(**ids)
        response = clients[who].get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                clients[who].get(url)
            times.append(time.perf_counter() - started)
        print(f"RESULT\t{label}\t{statistics.median(times) * 1000:.1f}\t{len(queries)}")


def run_child(code: str, env: dict) -> str:
    prefix = f"import sys; sys.path.insert(0, {str(ROOT)!r}); sys.argv = ['x']; import bench.clienteling as b; "
    out = subprocess.run([PYTHON, "-c", prefix + code], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{code} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="customers, smallest first")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-clienteling-") as tmp:
        for size in sizes:
            env = environment(f"sqlite:///{Path(tmp) / f'clienteling-{size}.sqlite3'}")
            subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
            started = time.monotonic()
            run_child(f"b.build({size}, {args.messages})", env)
            print(f"{size:,} customers, {args.messages:,} messages built in {time.monotonic() - started:.0f} s")
            for line in run_child(f"b.measure({args.repeat})", env).splitlines():
                if line.startswith("RESULT\t"):
                    _, label, ms, queries = line.split("\t")
                    results[(label, size)] = (float(ms), int(queries))
                    print(f"  {label}: {float(ms):.0f} ms ({queries} queries)", flush=True)
    small, large = sizes[0], sizes[-1]
    print(f"\nmedian ms (queries) per page; ratio = {large:,} customers / {small:,} customers\n")
    print(f"| page | {small:,} customers | {large:,} customers | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for label, _, _ in PAGES:
        a, b = results[(label, small)], results[(label, large)]
        print(f"| {label} | {a[0]:.0f} ({a[1]}) | {b[0]:.0f} ({b[1]}) | {b[0] / a[0]:.2f} |")


if __name__ == "__main__":
    main()
