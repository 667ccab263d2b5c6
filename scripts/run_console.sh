#!/usr/bin/env bash
# Starts the web server and the django-q2 worker side by side; Ctrl-C (or
# either process dying) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}

trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT

"$PYTHON" manage.py qcluster &
"$PYTHON" manage.py runserver "$HOST:$PORT" --noreload &
# Whichever stops first takes the other with it (via the EXIT trap).
wait -n
