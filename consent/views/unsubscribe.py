"""One-click unsubscribe from a marketing email, signed in or not (R-EM-2)."""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from consent import email, services
from consent.choices import REGISTRY

BAD_LINK = _(
    "This unsubscribe link is not valid any more: it has expired or was changed. Nothing was changed. "
    "Sign in and open Email preferences to choose which emails you get."
)


@csrf_exempt  # RFC 8058: the mail provider POSTs without a session or CSRF token; the signed link is the proof.
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST unsubscribes the profiles the email covered from that category (source
    unsubscribe_link). A missing, tampered or expired link gets a clear page with 400, never a 500."""
    try:
        link = email.unsubscribe_read(request.GET.get(email.TOKEN_PARAMETER, ""))
    except email.BadUnsubscribeLink:
        return render(request, "consent/unsubscribe.html", {"bad_link": BAD_LINK}, status=HTTPStatus.BAD_REQUEST)
    if request.method == "POST":
        services.profiles_unsubscribe(profiles=link.profiles, category=link.category)
    context = {
        "names": link.names,
        "several": len(link.profiles) > 1,
        "label": REGISTRY[link.category].label,
        "done": request.method == "POST",
    }
    return render(request, "consent/unsubscribe.html", context)
