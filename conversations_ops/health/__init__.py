"""GET /health/ (is the console ready?) and /metrics (what an operator watches).

- `heartbeat.py`: how a django-q2 worker shows it is alive (a row per host).
- `readings.py`: the few cheap queries both the checks and the metrics read.
- `checks.py`: the checks, as django-health-check 4.x check classes.
- `counters.py`: counts kept in the database (Twilio's 429s, webhook events received).
- `metrics.py`: the Prometheus collector, reading the database at scrape time.
- `views.py`, `urls.py`: the two endpoints.

docs/monitoring.md says what each check and metric means and what to do.
"""
