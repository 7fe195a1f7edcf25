"""System checks of the consent app's settings (run by `manage.py check` and at every start-up)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from consent import policy


def gpp_setup() -> policy.GppSetup:
    """The PRIVACY_GPP_* settings as the policy takes them (R-API-2)."""
    return policy.GppSetup(
        notices_given=settings.PRIVACY_GPP_NOTICES_GIVEN,
        mspa_covered=settings.PRIVACY_GPP_MSPA_COVERED,
        mspa_mode=settings.PRIVACY_GPP_MSPA_MODE,
    )


@register(Tags.compatibility)
def check_gpp_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """R-API-2: the GPP declarations are true or false, and an MSPA mode is named exactly when the transactions
    are covered (the IAB MSPA's modes are the opt-out option mode or the service provider mode)."""
    errors = []
    for name in ("PRIVACY_GPP_NOTICES_GIVEN", "PRIVACY_GPP_MSPA_COVERED"):
        if not isinstance(getattr(settings, name), bool):
            errors.append(Error(f"{name} must be true or false.", id="consent.E001"))
    mode = settings.PRIVACY_GPP_MSPA_MODE
    covered = settings.PRIVACY_GPP_MSPA_COVERED
    if mode not in policy.GPP_MSPA_MODES:
        errors.append(
            Error(
                "PRIVACY_GPP_MSPA_MODE must be empty, opt_out or service_provider.",
                hint=f"It is {mode!r}.",
                id="consent.E001",
            )
        )
    elif covered is True and not mode:
        errors.append(
            Error(
                "PRIVACY_GPP_MSPA_COVERED is true, so PRIVACY_GPP_MSPA_MODE must name the mode: opt_out or "
                "service_provider.",
                id="consent.E001",
            )
        )
    elif covered is False and mode:
        errors.append(Error("PRIVACY_GPP_MSPA_MODE is set while PRIVACY_GPP_MSPA_COVERED is false.", id="consent.E001"))
    return errors
