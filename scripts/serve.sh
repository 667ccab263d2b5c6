#!/usr/bin/env bash
# The console as production runs it. One script, one role per process:
#   scripts/serve.sh release   migrate, collectstatic, schedules (once per deploy)
#   scripts/serve.sh web       gunicorn (config/gunicorn.py), WhiteNoise serves /static/
#   scripts/serve.sh worker    one django-q2 cluster (start one per worker machine)
#   scripts/serve.sh           (what `make serve` runs) release, then web + worker
#                              side by side; SIGTERM/Ctrl-C stops both gracefully
# The Procfile, the Dockerfile and compose.yaml call the same roles.
# Settings: DJANGO_SETTINGS_MODULE (default config.settings.production) and the
# environment (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
[ -x .venv/bin/python ] && [ "$PYTHON" = python ] && PYTHON=.venv/bin/python
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.production}
export PORT=${PORT:-8000}

release() {
    "$PYTHON" manage.py check --deploy --fail-level ERROR
    "$PYTHON" manage.py migrate --noinput
    "$PYTHON" manage.py collectstatic --noinput --verbosity 0
    "$PYTHON" manage.py sync_schedule_setup
}

web() {
    # gunicorn from the same environment as $PYTHON (the venv, or the image's Python).
    exec "$PYTHON" -m gunicorn --config python:config.gunicorn
}

worker() {
    exec "$PYTHON" manage.py qcluster
}

all() {
    release
    ( worker ) &
    worker_pid=$!
    ( web ) &
    web_pid=$!
    stop() {
        trap '' INT TERM
        # gunicorn finishes requests in flight (graceful_timeout); the cluster
        # lets running tasks end. Whatever is left after 30 s is killed.
        kill -TERM "$web_pid" "$worker_pid" 2>/dev/null || true
        for _ in $(seq 1 120); do
            kill -0 "$web_pid" 2>/dev/null || kill -0 "$worker_pid" 2>/dev/null || break
            sleep 0.25
        done
        pkill -KILL -P "$worker_pid" 2>/dev/null || true
        kill -KILL "$web_pid" "$worker_pid" 2>/dev/null || true
        wait 2>/dev/null || true
        echo "Conversations Ops stopped."
    }
    trap 'stop; exit 130' INT TERM
    echo "Conversations Ops serving on port $PORT ($DJANGO_SETTINGS_MODULE); Ctrl-C stops it."
    set +e
    wait -n "$worker_pid" "$web_pid"
    status=$?
    stop
    exit "$status"
}

case "${1:-all}" in
    release) release ;;
    web) web ;;
    worker) worker ;;
    all) all ;;
    *) echo "usage: $0 [release|web|worker]" >&2; exit 2 ;;
esac
