"""The project's URLs plus views that fail, to see Django's error handlers render the project's error pages."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from netflix_privacy.urls import urlpatterns as project_urlpatterns


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


def forbids(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [*project_urlpatterns, path("test-fails/", fails), path("test-forbids/", forbids)]
