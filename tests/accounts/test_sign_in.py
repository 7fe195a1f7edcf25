"""Sign in and out, the lock-out after repeated failures (one counter per email, whatever its case or spaces),
and the sign-in records kept only while they are needed (docs/rules.md, Qualities)."""

import threading
import time
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import cast

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account
from accounts.selectors import ACCOUNT, SIGNED_IN
from tests.factories import PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eu(db) -> Account:
    return cast(Account, AccountFactory(email="eu@example.com"))


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_landing_page_is_public_and_offers_sign_in(client):
    response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert "Sign in" in response.content.decode()


def test_sign_in_with_email_and_password_goes_to_whos_watching(client, ads_account):
    response = sign_in(client, ads_account.email, PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("profiles")


def test_sign_in_accepts_the_email_in_any_case_and_with_spaces(client, eu):
    response = sign_in(client, "  EU@Example.COM ", PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(eu.pk)


def test_wrong_password_gets_a_clear_message(client, ads_account):
    response = sign_in(client, ads_account.email, "nope")
    assert response.status_code == HTTPStatus.OK
    assert "Incorrect email or password" in response.content.decode()


def test_logout_is_post_only(member_client):
    assert member_client.get(reverse("logout")).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = member_client.post(reverse("logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" not in member_client.session


def test_the_lock_out_after_five_failures_cannot_be_bypassed_by_email_case_or_spaces(client, eu):
    for _ in range(5):
        sign_in(client, "eu@example.com", "wrong")
    for variant in ("eu@example.com", "EU@example.com", " eu@example.com", "eu@EXAMPLE.COM ", "Eu@Example.Com"):
        response = sign_in(client, variant, PASSWORD)
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS, variant
        assert "Too many sign-in attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_failures_in_any_case_count_towards_one_lock_out(client, eu):
    variants = ["eu@example.com", "EU@example.com", " eu@example.com", "eU@EXAMPLE.com", "Eu@example.COM"]
    statuses = [sign_in(client, variant, "wrong").status_code for variant in variants]
    assert statuses[:4] == [HTTPStatus.OK] * 4
    assert statuses[4] == HTTPStatus.TOO_MANY_REQUESTS
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["eu@example.com"]
    assert sign_in(client, "EU@EXAMPLE.COM", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_successful_sign_in_keeps_no_access_log_of_email_ip_and_user_agent(client, ads_account):
    response = client.post(
        reverse("login"), {"username": ads_account.email, "password": PASSWORD}, HTTP_USER_AGENT="Browser/1.0"
    )
    assert response.status_code == HTTPStatus.FOUND
    assert AccessLog.objects.count() == 0


NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.time_machine(NOW, tick=False)
@override_settings(LOGIN_RECORD_RETENTION_DAYS=30)
def test_login_records_are_purged_after_the_documented_period():
    def attempt(age: timedelta, username: str) -> None:
        AccessAttempt.objects.create(username=username, ip_address="127.0.0.1", user_agent="UA", failures_since_start=1)
        AccessAttempt.objects.filter(username=username).update(attempt_time=NOW - age)

    attempt(timedelta(hours=2), "old@example.com")  # cool-off (15 minutes) is over: no longer needed
    attempt(timedelta(minutes=1), "recent@example.com")  # still counts towards a lock-out
    AccessLog.objects.create(username="a@example.com", ip_address="127.0.0.1", user_agent="UA")
    AccessLog.objects.filter(username="a@example.com").update(attempt_time=NOW - timedelta(days=31))
    AccessLog.objects.create(username="b@example.com", ip_address="127.0.0.1", user_agent="UA")

    call_command("purge_login_records", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["recent@example.com"]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["b@example.com"]


# Whatever a browser sends to the sign-in form, the answer is a page or a 4xx, never a 500 or an exception.

any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
emails = st.emails().map(lambda e: e[:254])
email_like = st.one_of(
    emails,
    emails.map(str.upper),
    emails.map(lambda e: f"  {e}\t"),
    st.builds(lambda a, b: f"{a}@{b}", any_text, any_text),
    any_text,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(username=email_like, password=any_text)
def test_sign_in_form_never_answers_a_server_error(ads_account, username, password):
    client = Client()  # raises any exception a view lets out
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.FOUND, HTTPStatus.TOO_MANY_REQUESTS}
    AccessAttempt.objects.all().delete()  # each example starts below the lock-out limit


@pytest.mark.django_db(transaction=True)
class TestTheSignedInAccountKeptInTheSharedCache:
    """Every signed-in request reads its account through the shared cache (accounts.backends); whatever changes
    the account commits, the next request, on any process, sees the change."""

    def signed_in(self, client) -> Account:
        account = cast(Account, AccountFactory())
        client.force_login(account)
        assert client.get(reverse("account")).status_code == HTTPStatus.OK  # fills the cache
        return account

    def test_a_password_changed_elsewhere_ends_the_other_sessions(self, client):
        account = self.signed_in(client)
        account.set_password("another-pass-5678")
        account.save()
        assert client.get(reverse("account")).status_code == HTTPStatus.FOUND

    def test_an_account_made_inactive_by_staff_is_signed_out_on_its_next_request(self, client):
        account = self.signed_in(client)
        account.is_active = False
        account.save(update_fields=["is_active"])
        assert client.get(reverse("account")).status_code == HTTPStatus.FOUND

    def test_an_email_changed_elsewhere_shows_on_the_next_page(self, client):
        account = self.signed_in(client)
        account.email = "renamed@example.com"
        account.save(update_fields=["email"])
        assert "renamed@example.com" in client.get(reverse("account")).content.decode()

    def test_a_deleted_account_leaves_no_copy_in_the_cache(self, client):
        account = self.signed_in(client)
        key = f"{SIGNED_IN}:{ACCOUNT}:{account.pk}"
        assert cache.get(key) is not None
        account.delete()
        assert cache.get(key) is None
        assert client.get(reverse("account")).status_code == HTTPStatus.FOUND


@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_posted_at_once_get_no_more_checks_than_the_lock_out_allows(monkeypatch):
    """Ten wrong passwords for one email from one browser's address, posted at once, get at most AXES_FAILURE_LIMIT
    passwords checked: one check at a time per email and client (accounts.axes); the rest are asked to wait."""
    account = cast(Account, AccountFactory())
    checked: list[str] = []
    check_password = Account.check_password

    def slow_check(self: Account, raw_password: str) -> bool:
        checked.append(raw_password)
        time.sleep(0.3)  # a slow hash: every attempt sent at once reads the lock-out before any failure counts
        return check_password(self, raw_password)

    monkeypatch.setattr(Account, "check_password", slow_check)
    pages: list[str] = []
    start = threading.Barrier(10)

    def attempt() -> None:
        try:
            start.wait()
            pages.append(sign_in(Client(), account.email, "wrong").content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(pages) == 10
    assert 1 <= len(checked) <= django_settings.AXES_FAILURE_LIMIT
    assert sum("already being signed in" in page for page in pages) == 10 - len(checked)


def test_the_lock_out_counts_an_ipv6_client_per_64(eu):
    """Failures from five addresses of one /64 lock that /64 out (common.http.client_key); another /64 is
    another client."""
    statuses = [
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
        .post(reverse("login"), {"username": "eu@example.com", "password": "wrong"})
        .status_code
        for n in range(5)
    ]
    assert statuses == [HTTPStatus.OK] * 4 + [HTTPStatus.TOO_MANY_REQUESTS]
    locked = Client(REMOTE_ADDR="2001:db8:1:2:ab:cd:ef:1")
    assert sign_in(locked, "eu@example.com", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS
    elsewhere = Client(REMOTE_ADDR="2001:db8:1:3::1")
    assert sign_in(elsewhere, "eu@example.com", PASSWORD).status_code == HTTPStatus.FOUND


# Spanish (R-I18N-1) ---------------------------------------------------------------------------------------------

ES = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}


def test_the_sign_in_page_and_its_error_are_in_spanish__R_I18N_1(client, ads_account):
    page = client.get(reverse("login"), **ES).content.decode()
    assert '<html lang="es">' in page
    assert "<h1>Iniciar sesión</h1>" in page
    assert ">Correo electrónico</label>" in page
    assert ">Contraseña</label>" in page
    assert "¿Olvidaste tu contraseña?</a>" in page

    wrong = client.post(reverse("login"), {"username": ads_account.email, "password": "nope"}, **ES).content.decode()
    assert "El correo electrónico o la contraseña no son correctos. Revisa ambos e inténtalo de nuevo." in wrong
    empty = client.post(reverse("login"), {"username": "", "password": ""}, **ES).content.decode()
    assert "Este campo es obligatorio." in empty  # Django's own message, in Spanish


def test_the_lock_out_page_is_in_spanish__R_I18N_1(client, eu):
    for _ in range(5):
        client.post(reverse("login"), {"username": "eu@example.com", "password": "wrong"}, **ES)
    response = client.post(reverse("login"), {"username": "eu@example.com", "password": PASSWORD}, **ES)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "<h1>Demasiados intentos de inicio de sesión</h1>" in html
    assert "Espera unos minutos e inténtalo de nuevo." in html


def test_the_landing_page_is_in_spanish__R_I18N_1(client):
    html = client.get("/", **ES).content.decode()
    assert '<html lang="es">' in html
    assert "<h1>Tu privacidad, tus decisiones</h1>" in html
    assert "Inicia sesión para administrar tu configuración</a>" in html
    assert "<li>Inicia sesión y elige un perfil en “¿Quién está viendo?”.</li>" in html
    assert "<strong>Desactivar todo en todos los perfiles</strong>" in html
