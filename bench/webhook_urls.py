"""The console's URLs plus /bench/noop/: the same middleware, form parsing and
CSRF exemption as the webhook views, and nothing else: the ratio's denominator."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as console_urlpatterns


@csrf_exempt
@require_POST
def noop(request):
    request.POST  # parse the form, as the webhook view does  # noqa: B018
    return HttpResponse(b"", content_type="text/plain")


urlpatterns = [path("bench/noop/", noop), *console_urlpatterns]
