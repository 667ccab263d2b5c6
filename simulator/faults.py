"""Fault injection for the REST API (tests and benchmarks). Filled in by the faults work."""


def before_request(request):
    """A response to send instead of handling the request, or None."""
    return None


def after_request(request, response):
    return response
