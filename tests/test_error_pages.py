"""Django's own error handlers render the project's error pages (400, 403, 404, 500 and the CSRF failure), with
the member's header where there is a member, and the 500 page needs no request at all."""

from http import HTTPStatus

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from common.middleware import error_page
from common.views import server_error

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


# Spanish (R-I18N-1) ---------------------------------------------------------------------------------------------

ES = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}


def test_the_404_400_and_403_pages_are_in_the_requests_language__R_I18N_1(member_client, settings):
    not_found = member_client.get("/no-such-page/", **ES).content.decode()
    assert '<html lang="es">' in not_found
    assert "<h1>No se encontró la página</h1>" in not_found
    assert 'vuelve a <a href="/">la página de inicio</a>.' in not_found
    assert "Cerrar sesión" in not_found

    bad = member_client.get("/", HTTP_HOST="elsewhere.example", **ES).content.decode()
    assert "<h1>Solicitud incorrecta</h1>" in bad

    settings.ROOT_URLCONF = "tests.urls"
    forbidden = member_client.get("/test-forbids/", **ES).content.decode()
    assert "<h1>No permitido</h1>" in forbidden


def test_the_csrf_failure_page_is_in_the_requests_language__R_I18N_1(ads_account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ads_account)
    response = client.post(reverse("cookies"), {"action": "accept_all"}, **ES)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "<h1>Este formulario venció</h1>" in response.content.decode()


def test_the_500_page_is_in_the_requests_language_though_rendered_without_a_context__R_I18N_1(ads_account, settings):
    settings.ROOT_URLCONF = "tests.urls"
    client = Client(raise_request_exception=False)
    client.force_login(ads_account)

    spanish = client.get("/test-fails/", **ES).content.decode()
    english = client.get("/test-fails/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="es">' in spanish
    assert "<title>Algo salió mal · Privacy Center</title>" in spanish
    assert "Lo sentimos, no pudimos terminar eso. No se cambió nada." in spanish
    assert '<html lang="en">' in english
    assert "Something went wrong" in english


def test_the_503_page_of_a_failure_outside_the_view_is_in_the_requests_language__R_I18N_1(rf):
    """The session saved as the response goes out fails: Django's handler500 answers 503 in the request's language
    (the chooser's cookie wins over Accept-Language), with nothing but the request to go on."""
    request = rf.get("/account/", HTTP_ACCEPT_LANGUAGE="en")
    request.COOKIES[django_settings.LANGUAGE_COOKIE_NAME] = "es"
    try:
        raise OperationalError("the database went away")
    except OperationalError:
        response = server_error(request)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert '<html lang="es">' in response.content.decode()
    assert "<h1>Algo salió mal</h1>" in response.content.decode()


def test_the_503_page_without_a_request_is_in_the_active_language__R_I18N_1():
    with translation.override("es"):
        assert "<h1>Algo salió mal</h1>" in error_page("500.html", None)
    assert "<h1>Something went wrong</h1>" in error_page("500.html", None)
