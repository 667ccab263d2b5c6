"""`--shard=K/N`: run every Nth collected test, starting at the Kth (0-based), so that
`make test-fast` can share the suite between two pytest processes on a two-core machine
without a plugin dependency. Without the option nothing is deselected."""

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--shard",
        default=None,
        metavar="K/N",
        help="run only the tests whose collection index is K modulo N (e.g. 0/2 and 1/2 split the suite)",
    )


@pytest.hookimpl(trylast=True)  # after -m/-k: the tests left are the ones shared out
def pytest_collection_modifyitems(config, items):
    shard = config.getoption("shard")
    if not shard:
        return
    k, n = (int(part) for part in shard.split("/"))
    if not 0 <= k < n:
        raise pytest.UsageError(f"--shard={shard}: K must be 0..N-1")
    kept = [item for index, item in enumerate(items) if index % n == k]
    dropped = [item for index, item in enumerate(items) if index % n != k]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """Each shard its own test database, so two shards can run at once (on PostgreSQL too)."""
    shard = request.config.getoption("shard")
    if not shard:
        return
    import os

    from django.conf import settings

    suffix = "_shard" + shard.split("/")[0]
    for db in settings.DATABASES.values():
        test = db.setdefault("TEST", {})
        name = test.get("NAME")
        if db["ENGINE"] == "django.db.backends.sqlite3":
            if not name or name == ":memory:":
                continue
            root, ext = os.path.splitext(name)
            test["NAME"] = f"{root}{suffix}{ext}"
            if os.environ.get("CONVERSATIONS_OPS_TEST_DB") == name:  # what worker processes open
                os.environ["CONVERSATIONS_OPS_TEST_DB"] = test["NAME"]
        else:
            test["NAME"] = f"{name or 'test_' + db['NAME']}{suffix}"
