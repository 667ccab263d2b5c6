"""Developer machine: `make run`. Debug on, obviously fake secret by default."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="!!! local development only: set DJANGO_SECRET_KEY !!!")
