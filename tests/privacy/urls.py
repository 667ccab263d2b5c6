"""A page that fails with numbers in its request and its error: the error e-mail test's URL."""

from django.urls import path

from config.urls import urlpatterns as console_urlpatterns
from tests.privacy.numbers import SEED_TEXT


def boom(request):
    to = request.GET.get("To")  # a local variable the report lists
    raise ValueError(f"Twilio refused {to}: {SEED_TEXT}")


# The console's own URLs too: its middleware (login, second factor) reverses them on every request.
urlpatterns = [path("boom/", boom), *console_urlpatterns]
