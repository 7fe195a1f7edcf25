"""JSON errors in one shape, and django-axes' lock-out answer in the form of the answer it replaces.

Every error a JSON endpoint answers is `{"detail": "<what went wrong, in words>", "errors": [...]}`: `errors` lists
the input problems found (`{"loc": [...], "msg": "..."}`, where and what, never the value sent back), and is empty
when the request as a whole is refused.
"""

import math
from collections.abc import Iterable, Mapping
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_OUT = "Too many failed sign-in attempts from here; try again later."


def problem(status: HTTPStatus, detail: str, *, errors: Iterable[Mapping[str, Any]] = ()) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": list(errors)}, status=status)


def is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() == "application/json"


def _cool_off_seconds() -> int | None:
    """AXES_COOLOFF_TIME as whole seconds, for Retry-After (a number is hours, as django-axes reads it)."""
    cool_off = settings.AXES_COOLOFF_TIME
    if isinstance(cool_off, timedelta):
        return math.ceil(cool_off.total_seconds())
    if isinstance(cool_off, int | float) and not isinstance(cool_off, bool):
        return math.ceil(cool_off * 3600)
    return None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Mapping[str, Any] | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a JSON endpoint (the API's token exchange) answers a JSON 429 in the one shape, with
    Retry-After; a page answers the sign-in lock-out page. Neither repeats the email that was tried."""
    if original_response is not None and is_json(original_response):
        response = problem(HTTPStatus.TOO_MANY_REQUESTS, LOCKED_OUT)
        seconds = _cool_off_seconds()
        if seconds is not None:
            response["Retry-After"] = str(seconds)
        return response
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", HTTPStatus.TOO_MANY_REQUESTS)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=status)
