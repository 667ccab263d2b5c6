"""Settings for bench/webhook_ingest.py: the local settings with DEBUG off and
one extra URL, a do-nothing POST view, served by the same server as the webhooks."""

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.webhook_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
