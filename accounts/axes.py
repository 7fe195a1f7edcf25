"""The username django-axes counts failures against: the normalised email, so that case or spaces never make
a fresh counter (AXES_USERNAME_CALLABLE)."""

from django.conf import settings
from django.http import HttpRequest

from accounts.normalize import normalize_email

# AccessAttempt.username is a 255-character column.
_USERNAME_COLUMN_LENGTH = 255


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        raw = credentials[field]
    else:
        raw = getattr(request, "POST", {}).get(field, "")
    return normalize_email(str(raw)).replace("\x00", "")[:_USERNAME_COLUMN_LENGTH]
