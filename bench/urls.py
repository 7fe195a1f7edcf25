from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from netflix_privacy.urls import urlpatterns as site_urlpatterns


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    """Same middleware, same session and user lookup, no page work: the floor the privacy page is measured on."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
