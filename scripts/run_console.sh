#!/usr/bin/env bash
# Starts the web server and the django-q2 worker side by side. Ctrl-C, or
# either process ending, stops both: first politely (SIGTERM, up to 10 s, so a
# running task can finish), then for good.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}

"$PYTHON" manage.py qcluster &
worker=$!
"$PYTHON" manage.py runserver "$HOST:$PORT" --noreload &
web=$!

alive() { kill -0 "$worker" 2>/dev/null || kill -0 "$web" 2>/dev/null; }

stop() {
    trap '' INT TERM
    kill -TERM "$worker" "$web" 2>/dev/null
    for _ in $(seq 1 40); do alive || break; sleep 0.25; done
    # The worker's own children (its worker processes) go with it.
    pkill -KILL -P "$worker" 2>/dev/null
    kill -KILL "$worker" "$web" 2>/dev/null
    wait 2>/dev/null
    echo "Conversations Ops stopped."
}

trap 'stop; exit 130' INT TERM
wait -n "$worker" "$web"
stop
