"""The inbound-text webhook of the SMS provider (R-SMS-3)."""

from http import HTTPStatus

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from consent import services, webhooks


@csrf_exempt  # called by the SMS provider, authenticated by the HMAC signature over the body
@require_http_methods(["POST"])
def sms_inbound(request: HttpRequest) -> JsonResponse:
    """STOP turns every text category off for every account with the sender's number; START and HELP get the
    answers carriers expect. Refused (403) unless signed, recent and new."""
    try:
        webhooks.verify(
            body=request.body,
            timestamp=request.headers.get(webhooks.TIMESTAMP_HEADER),
            signature=request.headers.get(webhooks.SIGNATURE_HEADER),
        )
    except webhooks.Refused:
        return JsonResponse({"error": "not signed, too old, or seen before"}, status=HTTPStatus.FORBIDDEN)
    try:
        inbound = webhooks.parse(request.body)
    except webhooks.Malformed:
        return JsonResponse({"error": "expected JSON with from (E.164) and text"}, status=HTTPStatus.BAD_REQUEST)
    if inbound.keyword in webhooks.STOP_WORDS:
        services.texts_stop(number=inbound.number)
        return JsonResponse({"reply": webhooks.STOP_REPLY})
    if inbound.keyword in webhooks.START_WORDS:
        return JsonResponse({"reply": webhooks.START_REPLY})
    if inbound.keyword in webhooks.HELP_WORDS:
        return JsonResponse({"reply": webhooks.HELP_REPLY})
    return JsonResponse({"reply": None})
