"""The project's error handlers (netflix_privacy.urls: handler500)."""

import sys

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.views import defaults

from common.middleware import database_unavailable


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, except when what failed was the database not answering (outside a view, e.g. while the
    session is saved): then 503 with Retry-After, as for a view (common.middleware)."""
    failure = sys.exc_info()[1]  # Django calls the handler while the exception is being handled
    if isinstance(failure, OperationalError):
        return database_unavailable(request)
    return defaults.server_error(request)
