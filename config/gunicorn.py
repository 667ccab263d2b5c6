"""gunicorn's configuration for the console (`make serve`, Procfile, Dockerfile).

Every value can be overridden by the environment (gunicorn also reads
GUNICORN_CMD_ARGS). Why these values:
- workers: (2 x cores) + 1 as gunicorn advises for a mostly-waiting app, capped
  at 8 per machine (each holds a database connection; scale out with machines);
  WEB_CONCURRENCY overrides it (Heroku-style platforms set it).
- gthread workers with a few threads: a slow client or a long admin export
  does not block the other requests of its process.
- timeout 30 s: longer than any page needs (exports stream), shorter than a
  load balancer's typical 60 s, so gunicorn answers before the proxy gives up.
- graceful_timeout 25 s: on SIGTERM (a deploy) requests in flight finish; most
  platforms kill after 30 s.
- max_requests with jitter: workers are recycled now and then, all at different times,
  so a slow leak never takes the site down.
- access log on stdout, through the console's number-masking filter: admin
  searches put phone numbers in query strings.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Behind a TLS-terminating proxy: trust its X-Forwarded-* (Django reads X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Header and request-line limits stay gunicorn's defaults; webhook bodies are capped by the view.
wsgi_app = "config.wsgi:application"
# gunicorn 25+ opens a control socket at one path per user by default: a second
# server on the machine (another web role, the standalone simulator) would clash.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_phone_numbers": {"()": "conversations_ops.logging_filters.MaskPhoneNumbers"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["mask_phone_numbers"],
        },
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
            "filters": ["mask_phone_numbers"],
        },
    },
    # gunicorn merges this over its defaults, whose root logger names a handler replaced here.
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
