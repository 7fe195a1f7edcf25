"""The inbound-text webhook of the SMS provider (R-SMS-3). Every answer is JSON in the webhook's shape, `{"reply":
...}` or `{"error": "<in words>"}`, its refusals and faults included: a body too large is 413, a database or shared
cache that does not answer in time is 503 with Retry-After (the provider retries), never Django's HTML pages."""

import logging
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from common.middleware import RETRY_AFTER_S, UNAVAILABLE
from consent import services, webhooks

logger = logging.getLogger(__name__)


def _error(status: HTTPStatus, words: str) -> JsonResponse:
    return JsonResponse({"error": words}, status=status)


@csrf_exempt  # called by the SMS provider, authenticated by the HMAC signature over the body
@require_http_methods(["POST"])
def sms_inbound(request: HttpRequest) -> JsonResponse:
    """STOP turns every text category off for every account with the sender's number; START and HELP get the
    answers carriers expect. Refused (403) unless signed, recent and new; 413 past BODY_MAX_BYTES, unread."""
    too_big = _error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body may be at most {webhooks.BODY_MAX_BYTES} bytes")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:  # Django could not read the body either
        return _error(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
    if declared > webhooks.BODY_MAX_BYTES:
        return too_big
    try:
        body = request.body
    except RequestDataTooBig:
        return too_big
    if len(body) > webhooks.BODY_MAX_BYTES:
        return too_big
    try:
        return _answer(request, body)
    except UNAVAILABLE as error:
        logger.error("SMS webhook: the database or cache is unavailable (%s)", type(error).__name__)
        response = _error(HTTPStatus.SERVICE_UNAVAILABLE, "unavailable for a moment; try again")
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response


def _answer(request: HttpRequest, body: bytes) -> JsonResponse:
    try:
        webhooks.verify(
            body=body,
            timestamp=request.headers.get(webhooks.TIMESTAMP_HEADER),
            signature=request.headers.get(webhooks.SIGNATURE_HEADER),
        )
    except webhooks.Refused:
        return _error(HTTPStatus.FORBIDDEN, "not signed, too old, or seen before")
    try:
        inbound = webhooks.parse(body)
    except webhooks.Malformed:
        return _error(HTTPStatus.BAD_REQUEST, "expected JSON with from (E.164) and text")
    if inbound.keyword in webhooks.STOP_WORDS:
        services.texts_stop(number=inbound.number)
        return JsonResponse({"reply": services.text_reply(number=inbound.number, words=webhooks.STOP_REPLY)})
    if inbound.keyword in webhooks.START_WORDS:
        return JsonResponse({"reply": services.text_reply(number=inbound.number, words=webhooks.START_REPLY)})
    if inbound.keyword in webhooks.HELP_WORDS:
        return JsonResponse({"reply": services.text_reply(number=inbound.number, words=webhooks.HELP_REPLY)})
    return JsonResponse({"reply": None})
