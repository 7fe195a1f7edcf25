"""The project's error handlers (netflix_privacy.urls: handler500)."""

import sys

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views import defaults

from common.middleware import UNAVAILABLE, database_unavailable


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, except when what failed was the database or the shared cache not answering outside a
    view (the session read or saved by its middleware): then 503 with Retry-After, as for a view. Either is in
    the request's language (common.middleware.error_page), though Django renders the 500 page without a context."""
    failure = sys.exc_info()[1]  # Django calls the handler while the exception is being handled
    if isinstance(failure, UNAVAILABLE):
        return database_unavailable(request)
    with translation.override(translation.get_language_from_request(request)):
        return defaults.server_error(request)
