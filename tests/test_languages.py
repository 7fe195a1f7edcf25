"""R-I18N-1: pages follow Accept-Language until the chooser picks a language; a member's messages follow the
language kept on the account; the Spanish catalog is complete."""

from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts import languages
from accounts.models import Account
from common.management.commands.compile_catalogs import catalogs, problems
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_pages_follow_the_browsers_accept_language(client):
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert spanish["Content-Language"] == "es"
    assert '<html lang="es">' in spanish.text
    assert "Iniciar sesión" in spanish.text
    assert '<html lang="en">' in english.text
    assert "Sign in" in english.text
    assert "Accept-Language" in spanish["Vary"]


def test_a_language_the_site_does_not_offer_gets_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert '<html lang="en">' in response.text


def test_the_chooser_is_a_form_that_works_without_javascript(client):
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en")

    assert f'action="{reverse("set_language")}"' in page.text
    assert 'name="language" value="es" lang="es"' in page.text
    assert 'value="/privacy/"' in page.text  # back to the page it was picked on


def test_the_chosen_language_wins_over_accept_language_and_returns_to_the_page(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/privacy/"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es">' in client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en").text


@pytest.mark.parametrize("language", ["fr", "sk", "ES", "es-MX"])
def test_the_chooser_keeps_only_a_language_it_offers(client, language):
    """R-I18N-1: Django would keep any language it has a catalog of; the chooser keeps "en" or "es" and nothing
    else, for the page and for the member's emails."""
    account = AccountFactory()
    client.force_login(account)
    client.post(reverse("set_language"), {"language": "es"})

    response = client.post(reverse("set_language"), {"language": language, "next": "/privacy/"})

    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="es">' in client.get("/privacy/").text  # the earlier choice stands
    assert Account.objects.get(pk=account.pk).language == "es"


def test_the_chooser_changes_nothing_on_get(client):
    response = client.get(reverse("set_language"), {"language": "es"})

    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_chooser_refuses_a_post_without_csrf(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("set_language"), {"language": "es"})

    assert response.status_code == 403


@pytest.mark.parametrize("value", ["fr", "", "xx-" * 40, "../es", "es\x00"])
def test_the_chooser_ignores_a_language_the_site_does_not_offer(client, value):
    account = AccountFactory()
    client.force_login(account)

    response = client.post(reverse("set_language"), {"language": value, "next": "/"})

    assert response.status_code == 302
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").text.count('<html lang="en">') == 1
    account.refresh_from_db()
    assert account.language == ""


def test_a_member_who_picks_spanish_gets_their_messages_in_spanish(client):
    account = AccountFactory()
    client.force_login(account)

    client.post(reverse("set_language"), {"language": "es", "next": "/account/"})

    account.refresh_from_db()
    assert account.language == "es"
    with translation.override("en"), languages.speaking_to(account) as language:
        assert language == "es"
        assert translation.gettext("Sign in") == "Iniciar sesión"


def test_signing_in_keeps_the_language_the_member_reads_in(client):
    account = AccountFactory(email="lucia@example.com", password="a-long-pass-1234")

    client.post(
        reverse("login"),
        {"username": "lucia@example.com", "password": "a-long-pass-1234"},
        HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9",
    )

    assert Account.objects.get(pk=account.pk).language == "es"


def test_messages_to_an_account_without_a_language_use_the_active_one():
    account = Account(email="nobody@example.com", language="")

    with translation.override("es"):
        assert languages.of(account) == "es"
    with translation.override("en"):
        assert languages.of(account) == "en"
    assert languages.of(None) in {"en", "es"}


def test_the_spanish_catalogs_are_complete():
    spanish = [po for po in catalogs() if po.parts[-3] == "es"]

    assert len(spanish) == 2  # ours, and the overrides of the libraries' usted
    assert [problems(po) for po in spanish] == [[], []]


def test_an_incomplete_catalog_is_refused(tmp_path: Path, settings):
    po = tmp_path / "es" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Sign in"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Sign out"\nmsgstr "Salir"\n\n'
        '#, python-format\nmsgid "Watching as %(name)s"\nmsgstr "Viendo como %(nombre)s"\n',
        encoding="utf-8",
    )
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(CommandError) as refused:
        call_command("compile_catalogs", "--check", verbosity=0)

    message = str(refused.value)
    assert "untranslated: 'Sign in'" in message
    assert "fuzzy: 'Sign out'" in message
    assert "placeholders ['%(nombre)s'] instead of ['%(name)s']" in message
    assert not po.with_suffix(".mo").exists()


@pytest.mark.parametrize("next_url", ["privacy/", "0", "https://evil.example/", "//evil.example", "/\\evil.example"])
def test_the_chooser_goes_back_only_to_a_path_on_this_site(client, next_url):
    """R-I18N-1: a `next` that is not a path here (relative, another host) goes to the home page."""
    response = client.post(reverse("set_language"), {"language": "es", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_each_language_on_the_chooser_names_itself_in_its_own_language(client):
    """R-I18N-1: "Español" on an English page and "English" on a Spanish one, never "Inglés"."""
    for accept in ("en", "es"):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE=accept).text
        assert 'value="en" lang="en"' in html
        assert ">English</button>" in html
        assert ">Español</button>" in html
        assert "Inglés" not in html


PROPERTY = hypothesis_settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300)
off_site = st.sampled_from(
    ["//evil.example", "https:evil.example", "\\\\evil.example", "/\\evil.example", "javascript:alert(1)"]
)
language_tags = st.sampled_from(
    ["es", "en", "ES", "sk", "fr", "es-419", "es-MX", "zh-Hant-TW", "*", "../es", "es\x00", "x" * 10_000]
)


@PROPERTY
@given(
    language=st.one_of(language_tags, any_text),
    next_url=st.one_of(off_site, any_text, st.just("/privacy/")),
    method=st.sampled_from(["post", "put", "delete", "patch"]),
)
def test_the_chooser_answers_any_form_without_a_server_error_and_stays_on_the_site(language, next_url, method):
    """R-I18N-1: whatever the form holds, the chooser goes back to a page of this site (never off-site), keeps only
    a language the site offers, and refuses every method but POST."""
    account = AccountFactory()
    client = Client()
    client.force_login(account)

    response = getattr(client, method)(reverse("set_language"), {"language": language, "next": next_url})

    if method != "post":
        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
        return
    assert response.status_code == HTTPStatus.FOUND
    location = response["Location"]
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    kept = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    assert kept is None or kept.value in {"en", "es"}
    assert Account.objects.get(pk=account.pk).language in {"", languages.supported(language)}


@PROPERTY
@given(
    accept=st.one_of(header_text, st.lists(language_tags, max_size=2_000).map(",".join)),
    cookie=st.one_of(language_tags, header_text),
)
def test_any_accept_language_or_language_cookie_is_answered_in_a_language_the_site_offers(accept, cookie):
    """R-I18N-1: garbage Accept-Language headers (long, "*", bad q-values, thousands of entries) and a tampered
    language cookie give a page in English or Spanish, never a server error, on public and member pages."""
    member = Client()
    member.force_login(AccountFactory())
    visitor = Client()
    for client, url in ((visitor, reverse("home")), (visitor, reverse("login")), (member, reverse("account"))):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=accept)
        assert response.status_code == HTTPStatus.OK
        assert response["Content-Language"] in {"en", "es"}
        assert f'<html lang="{response["Content-Language"]}">' in response.text


def test_library_messages_on_our_pages_speak_to_the_member_as_tu(client):
    """R-I18N-1: Django's own Spanish says usted; the catalog in locale_overrides gives the email field's error
    and the password rules under the new password in tú, like the rest of the page."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    refused = client.post(reverse("password_reset"), {"email": "not-an-address"}, HTTP_ACCEPT_LANGUAGE="es")
    account = AccountFactory()
    link = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
            "token": default_token_generator.make_token(account),
        },
    )
    choose = client.get(link, HTTP_ACCEPT_LANGUAGE="es", follow=True)

    assert "Ingresa una dirección de correo electrónico válida." in refused.text
    assert "Introduzca" not in refused.text
    assert "Tu contraseña no puede tener solo números." in choose.text
    assert "Su contraseña" not in choose.text


def test_the_length_rules_speak_to_the_member_as_tu_and_the_phone_error_as_its_help_text(client):
    """R-I18N-1: Django's length rules in tú and with "como máximo" for "at most" (Django's own Spanish says
    "menos de"); an invalid phone number is answered with the help text's example, not the library's."""
    refused = client.post(
        reverse("password_reset_text"), {"email": "x" * 250 + "@b.co", "number": "12"}, HTTP_ACCEPT_LANGUAGE="es"
    )

    assert "Ingresa un número de teléfono válido con el código de país, por ejemplo, +1 415 555 0123." in refused.text
    assert "Asegúrate de que tenga como máximo 254 caracteres (tiene 255)." in refused.text
    assert "Ingrese" not in refused.text
    assert "Asegúrese" not in refused.text
