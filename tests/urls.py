"""The project's URLs plus views that only tests need: views that try to set cookies of every category (to
prove enforcement does not depend on the view), and views that fail (to see Django's error handlers render the
project's error pages)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from netflix_privacy.urls import urlpatterns as project_urlpatterns


def sets_cookies(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("a view that sets cookies of every category")
    response.set_cookie("ad_id", "set-by-another-view")
    response.set_cookie("not_in_the_registry", "x")
    response.set_cookie("csrftoken", "kept")
    return response


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def forbids(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    *project_urlpatterns,
    path("test-sets-cookies/", sets_cookies),
    path("test-fails/", fails),
    path("test-forbids/", forbids),
]
