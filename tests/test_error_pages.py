"""Django's own error handlers render the project's error pages (400, 403, 404, 500 and the CSRF failure), with
the member's header where there is a member, and the 500 page needs no request at all."""

from http import HTTPStatus

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_csrf_failure_page_is_the_project_page_with_the_members_header(ads_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ads_account)
    response = client.post(reverse("cookies"), {"action": "accept_all"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    html = response.content.decode()
    assert "This form has expired" in html
    assert "Sign out" in html
    assert f'href="{reverse("privacy_statement")}"' in html


def test_an_unknown_page_gets_the_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in response.content.decode()


def test_a_signed_in_member_gets_the_404_page_with_the_header(member_client):
    response = member_client.get("/no-such-page/")  # no URL matched: the request has no resolver match
    assert response.status_code == HTTPStatus.NOT_FOUND
    html = response.content.decode()
    assert "Page not found" in html
    assert "Sign out" in html
    assert 'aria-current="page"' not in html


def test_a_request_for_another_host_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="elsewhere.example")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Bad request" in response.content.decode()


def test_permission_denied_gets_the_403_page(member_client, settings):
    settings.ROOT_URLCONF = "tests.urls"
    response = member_client.get("/test-forbids/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    html = response.content.decode()
    assert "Not allowed" in html
    assert "Sign out" in html


def test_a_bug_in_a_view_gets_the_500_page_rendered_without_a_request(ads_account, settings):
    settings.ROOT_URLCONF = "tests.urls"
    client = Client(raise_request_exception=False)
    client.force_login(ads_account)
    response = client.get("/test-fails/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "Something went wrong" in response.content.decode()
    assert render_to_string("500.html") == response.content.decode()


def test_the_friendly_error_page_needs_no_template_context():
    assert "Something went wrong" in render_to_string("500.html")
