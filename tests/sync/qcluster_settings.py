"""Settings for the real django-q2 cluster that test_killed_worker starts.

The developer settings (what `make run` uses), with a lease short enough to
wait out in a test and an HTTP timeout long enough that the worker is still
inside the call when it is killed. Production keeps the defaults (lease
120 s > task timeout 60 s).
"""

import os

from config.settings.local import *  # noqa: F403
from config.settings.local import Q_CLUSTER

DEBUG = False
SYNC_LEASE_SECONDS = 4
TWILIO_HTTP_TIMEOUT = 20.0
# One worker; `retry` long enough that the killed task is not redelivered
# by django-q2 during the test: the outbox sweep is what must rescue it.
Q_CLUSTER = {**Q_CLUSTER, "workers": 1, "timeout": 30, "retry": 120, "poll": 0.1}
# The queue of the xdist process that started it (config/settings/test.py names it the same way).
if os.environ.get("PYTEST_XDIST_WORKER"):
    Q_CLUSTER["name"] = f"{Q_CLUSTER['name']}-{os.environ['PYTEST_XDIST_WORKER']}"
