"""The project's URLs plus views that try to set cookies, to prove enforcement does not depend on the view."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from netflix_privacy.urls import urlpatterns as project_urlpatterns


def sets_cookies(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("a view that sets cookies of every category")
    response.set_cookie("ad_id", "set-by-another-view")
    response.set_cookie("not_in_the_registry", "x")
    response.set_cookie("csrftoken", "kept")
    return response


urlpatterns = [*project_urlpatterns, path("test-sets-cookies/", sets_cookies)]
