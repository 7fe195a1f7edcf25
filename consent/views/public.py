"""The public pages: landing, Privacy Statement, "Do Not Sell or Share", and the GPC support resource."""

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from consent import cookies, policy
from consent.http import PrivacyRequest

AD_ID_COOKIE = "ad_id"


@require_http_methods(["GET", "HEAD"])
def home(request: PrivacyRequest) -> HttpResponse:
    """The landing page. It sets the site's own advertising cookie, `ad_id`, only where advertising cookies are
    allowed (R-CK-3), so enforcement can be seen working."""
    response = render(request, "home.html")
    if request.privacy.cookie_allowed(policy.ADVERTISING) and AD_ID_COOKIE not in request.COOKIES:
        response.set_cookie(
            AD_ID_COOKIE,
            secrets.token_hex(16),
            max_age=int(cookies.MAX_AGE.total_seconds()),
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


@require_http_methods(["GET", "HEAD"])
def privacy_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "consent/privacy_statement.html")


@require_http_methods(["GET", "HEAD"])
def do_not_sell(request: PrivacyRequest) -> HttpResponse:
    """Do Not Sell or Share My Personal Information: the visitor's one-click path (advertising cookies off),
    the members' path, and how the signal is honoured."""
    return render(request, "consent/do_not_sell.html", {"signal_honoured": request.privacy.signal_honoured})


@require_http_methods(["GET", "HEAD"])
def gpc_json(request: HttpRequest) -> JsonResponse:
    """R-GPC-7: the site's statement that it honours Global Privacy Control."""
    return JsonResponse({"gpc": True, "lastUpdate": settings.PRIVACY_GPC_LAST_UPDATE})
