import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from netflix_privacy.urls import urlpatterns as site_urlpatterns


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    """Same middleware, same session and user lookup, no page work: the floor the privacy page is measured on."""
    return HttpResponse("ok", content_type="text/plain")


def bare_api(request: HttpRequest) -> HttpResponse:
    """The same bearer-token check and a JSON answer, no validation, query or policy: the API's floor."""
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").encode()
    if not hmac.compare_digest(given, settings.PRIVACY_API_TOKEN.encode()):
        return HttpResponse(status=401)
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare), path("bench/bare-api/", bare_api), *site_urlpatterns]
