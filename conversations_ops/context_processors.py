from django.conf import settings


def twilio_mode(request):
    """Tells every admin page whether messages really leave this machine."""
    return {"twilio_simulated": settings.TWILIO_SIMULATED}
