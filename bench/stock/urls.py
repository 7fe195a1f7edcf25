from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "stock/page.html", {"items": ["Email", "Plan", "Profiles"]})


urlpatterns = [path("bare/", bare), path("page/", page)]
