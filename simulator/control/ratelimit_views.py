"""Control endpoint for the rate limit: GET shows the 429s it caused, DELETE zeroes them."""

from django.http import JsonResponse

from simulator.control.common import control_endpoint
from simulator.engine import ratelimit


@control_endpoint(["GET", "DELETE"], atomic=False)
def ratelimit_view(request):
    if request.method == "DELETE":
        ratelimit.reset()
    return JsonResponse(ratelimit.stats())
