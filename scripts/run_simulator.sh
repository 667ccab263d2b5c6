#!/usr/bin/env bash
# The Twilio simulator as its own process (`make simulator`; docs/simulator.md, "Standalone"):
# migrates its own database, seeds it when empty, prints its credentials, then serves
# it with gunicorn on $SIMULATOR_HOST:$SIMULATOR_PORT until SIGTERM/Ctrl-C.
# Settings: always config.settings.simulator; everything else from SIMULATOR_* variables.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
[ -x .venv/bin/python ] && [ "$PYTHON" = python ] && PYTHON=.venv/bin/python
# Never a console's settings, even when the environment names them.
export DJANGO_SETTINGS_MODULE=config.settings.simulator
export SIMULATOR_PORT=${SIMULATOR_PORT:-8001}
HOST=${SIMULATOR_HOST:-127.0.0.1}
THREADS=${SIMULATOR_THREADS:-8}

"$PYTHON" manage.py migrate --noinput --verbosity 0
"$PYTHON" manage.py simulator_seed --if-empty

# What the settings resolved (defaults included), in lines a script can grep.
"$PYTHON" - <<'PY'
import shlex

import django

django.setup()
from django.conf import settings

sid, token, base = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.SIMULATOR_PUBLIC_URL
print(f"Twilio simulator (standalone), database {settings.DATABASES['default']['NAME']}")
print(f"Simulator base URL: {base}")
print(f"Simulator account SID: {sid}")
print(f"Simulator auth token: {token}")
print(f"Handset page: {base}/   control API: {base}/_control/")
print("Point a console at it with:")
print(f"TWILIO_ACCOUNT_SID={shlex.quote(sid)} TWILIO_AUTH_TOKEN={shlex.quote(token)} "
      f"TWILIO_API_BASE_URL={shlex.quote(base)}", flush=True)
PY

# ONE worker process, several threads: the webhook-delivery thread (one queue, so
# webhooks keep their order) and the rate limiter's windows (30 actions/s) live in the
# serving process's memory; a second process would have its own of each.
# GUNICORN_CMD_ARGS may be meant for a console sharing this environment: not ours. No
# control socket: its default path is per user and a console's gunicorn may hold it.
unset GUNICORN_CMD_ARGS
exec "$PYTHON" -m gunicorn config.wsgi:application \
    --bind "$HOST:$SIMULATOR_PORT" \
    --workers 1 --worker-class gthread --threads "$THREADS" \
    --timeout 60 --graceful-timeout 5 \
    --access-logfile - --error-logfile - \
    --no-control-socket
