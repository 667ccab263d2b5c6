"""`check --deploy`: production without the second factor is a warning (the release step prints it;
`--fail-level WARNING`, as CI runs it, fails on it)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_required_check(app_configs, **kwargs):
    if settings.SECOND_FACTOR_REQUIRED:
        return []
    return [
        Warning(
            "SECOND_FACTOR_REQUIRED is off: superusers and staff who may see whole phone numbers log in "
            "with a password only.",
            hint="Unset SECOND_FACTOR_REQUIRED (production's default is true), or set it to true.",
            id="second_factor.W001",
        )
    ]
