"""One-click unsubscribe (R-EM-2): every marketing email carries a signed link (RFC 8058 List-Unsubscribe and
List-Unsubscribe-Post) that works without signing in for its 60 days; a GET shows a confirmation, a POST
unsubscribes that profile from that category; a tampered, expired or foreign link gets a clear page."""

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent import email
from consent.choices import Choice, Source
from tests.factories import AccountFactory
from tests.helpers import events_since, last_event_id, profile_named, values_of, words

pytestmark = pytest.mark.django_db


def link_path(profile, category=Choice.EMAIL_OFFERS) -> str:
    return token_path(email.unsubscribe_token(profile=profile, category=category))


def token_path(token: str) -> str:
    return f"{reverse('unsubscribe')}?{urlencode({email.TOKEN_PARAMETER: token})}"


def test_every_marketing_email_carries_rfc_8058_one_click_headers__R_EM_2(ads_account):
    sam = profile_named(ads_account, "Sam")
    assert email.marketing_email_send(profile_id=sam.pk, category=Choice.EMAIL_OFFERS, subject="Hi", body="News")
    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://127.0.0.1:8000/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    assert message.to == [ads_account.email]


def test_get_confirms_without_signing_in_and_changes_nothing__R_EM_2(ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    response = Client().get(link_path(sam))
    assert response.status_code == HTTPStatus.OK
    assert "Stop sending <strong>Offers and news</strong> emails to the profile Sam?" in response.content.decode()
    assert events_since(mark) == []


def test_one_click_post_unsubscribes_that_profile_from_that_category__R_EM_2(ads_account):
    sam, alex = profile_named(ads_account, "Sam"), profile_named(ads_account, "Alex")
    mark = last_event_id()
    client = Client(enforce_csrf_checks=True)  # a mail provider's POST has no session and no CSRF token

    response = client.post(link_path(sam), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == HTTPStatus.OK
    assert "will get no more" in response.content.decode()
    assert events_since(mark) == [("Sam", Choice.EMAIL_OFFERS, True, False, Source.UNSUBSCRIBE_LINK, None)]
    assert values_of(alex)[Choice.EMAIL_OFFERS] is True
    client.post(link_path(sam))
    assert len(events_since(mark)) == 1, "a second click writes nothing"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # tampered signature
        lambda token: "x" + token,  # tampered payload
        lambda token: "not-a-token",
        lambda token: ":" * 5,
    ],
)
def test_a_tampered_link_gets_a_clear_page_never_a_server_error__R_EM_2(ads_account, mangle):
    sam = profile_named(ads_account, "Sam")
    token = email.unsubscribe_token(profile=sam, category=Choice.EMAIL_OFFERS)
    mark = last_event_id()
    for method in ("get", "post"):
        response = getattr(Client(), method)(token_path(mangle(token)))
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "This unsubscribe link is not valid any more" in response.content.decode()
    assert events_since(mark) == []


@pytest.mark.time_machine(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize(("age", "works"), [(timedelta(days=59, hours=23), True), (timedelta(days=60, hours=1), False)])
def test_a_link_works_for_60_days_then_gets_the_clear_page__R_EM_2(ads_account, time_machine, age, works):
    sam = profile_named(ads_account, "Sam")
    path = link_path(sam)
    time_machine.shift(age)
    mark = last_event_id()
    response = Client().post(path)
    if works:
        assert response.status_code == HTTPStatus.OK
        assert events_since(mark) == [("Sam", Choice.EMAIL_OFFERS, True, False, Source.UNSUBSCRIBE_LINK, None)]
    else:
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "This unsubscribe link is not valid any more" in response.content.decode()
        assert events_since(mark) == []


def test_a_signed_link_for_service_email_or_another_key_is_refused__R_EM_1(ads_account):
    sam = profile_named(ads_account, "Sam")
    for key in (Choice.EMAIL_SERVICE, Choice.MIC, "nope"):
        token = signing.dumps({"p": str(sam.pk), "c": key}, salt=email.UNSUBSCRIBE_SALT, compress=True)
        assert Client().post(token_path(token)).status_code == HTTPStatus.BAD_REQUEST
    assert values_of(sam)[Choice.EMAIL_SERVICE] is True


token_like = st.one_of(
    st.text(
        alphabet=st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="/?#%"), min_size=1, max_size=200
    ),
    st.from_regex(r"[A-Za-z0-9_\-:.]{1,200}", fullmatch=True),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(token=token_like, method=st.sampled_from(["get", "post", "head"]))
def test_any_unsubscribe_link_is_answered_without_a_server_error_and_changes_nothing__R_EM_2(
    ads_account, token, method
):
    mark = last_event_id()
    response = getattr(Client(), method)(token_path(token))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert events_since(mark) == []


def test_the_link_of_an_email_covering_several_profiles_unsubscribes_each_of_them__R_EM_2_R_EM_3(client, ads_account):
    alex, sam = profile_named(ads_account, "Alex"), profile_named(ads_account, "Sam")
    path = token_path(email.unsubscribe_token(profiles=[alex, sam], category=Choice.EMAIL_OFFERS))
    assert "to the profiles Alex and Sam?" in client.get(path).content.decode()
    mark = last_event_id()
    response = client.post(path)
    assert "Done: Alex and Sam will get no more" in response.content.decode()
    assert [(name, choice, source) for name, choice, _old, _new, source, _by in events_since(mark)] == [
        ("Alex", Choice.EMAIL_OFFERS, Source.UNSUBSCRIBE_LINK),
        ("Sam", Choice.EMAIL_OFFERS, Source.UNSUBSCRIBE_LINK),
    ]


def test_a_link_sent_before_emails_covered_several_profiles_still_works__R_EM_2(client, ads_account):
    """Links already in inboxes name one profile as a string: they keep working for their 60 days."""
    sam = profile_named(ads_account, "Sam")
    old = signing.dumps({"p": str(sam.pk), "c": Choice.EMAIL_OFFERS}, salt=email.UNSUBSCRIBE_SALT, compress=True)
    assert client.post(token_path(old)).status_code == HTTPStatus.OK
    assert values_of(sam)[Choice.EMAIL_OFFERS] is False


def test_a_link_naming_profiles_of_two_accounts_is_not_valid__R_EM_2(client, ads_account):
    other = AccountFactory()
    token = email.unsubscribe_token(
        profiles=[profile_named(ads_account, "Sam"), other.profiles.get()], category=Choice.EMAIL_OFFERS
    )
    assert client.post(token_path(token)).status_code == HTTPStatus.BAD_REQUEST


# In Spanish (R-I18N-1): the page follows the browser's language, whoever the link names -----------------------

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_every_state_of_the_unsubscribe_page_in_spanish__R_I18N_1_R_EM_2(ads_account):
    sam = profile_named(ads_account, "Sam")
    offers = words("es", "Offers and news")
    confirm = Client().get(link_path(sam), **SPANISH).content.decode()
    assert '<html lang="es"' in confirm
    assert "<h1>Cancelar suscripción</h1>" in confirm
    assert f"¿Dejar de enviar correos de <strong>{offers}</strong> al perfil Sam?" in confirm
    assert ">Cancelar suscripción</button>" in confirm
    assert "Seguirás recibiendo los correos del servicio" in confirm
    done = Client().post(link_path(sam), **SPANISH)
    assert done.status_code == HTTPStatus.OK
    assert f"Listo: Sam ya no recibirá correos de <strong>{offers}</strong>." in done.content.decode()
    assert values_of(sam)[Choice.EMAIL_OFFERS] is False


def test_a_link_covering_several_profiles_names_them_in_spanish__R_I18N_1_R_EM_3(ads_account):
    alex, sam = profile_named(ads_account, "Alex"), profile_named(ads_account, "Sam")
    kids = profile_named(ads_account, "Kids")
    path = token_path(email.unsubscribe_token(profiles=[alex, sam, kids], category=Choice.EMAIL_OFFERS))
    offers = words("es", "Offers and news")
    confirm = Client().get(path, **SPANISH).content.decode()
    assert f"<strong>{offers}</strong> a los perfiles Alex, Sam y Kids?" in confirm
    done = Client().post(path, **SPANISH).content.decode()
    assert "Listo: Alex, Sam y Kids ya no recibirán correos de" in done


@pytest.mark.time_machine(datetime(2027, 1, 10, 9, 0, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_or_expired_link_gets_the_clear_page_in_spanish_and_changes_nothing__R_I18N_1_R_EM_2(
    ads_account, time_machine, method
):
    sam = profile_named(ads_account, "Sam")
    time_machine.move_to(datetime(2027, 1, 10, 9, 0, tzinfo=UTC) - timedelta(days=61))
    expired = link_path(sam)
    time_machine.move_to(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    mark = last_event_id()
    for path in (expired, token_path("not-a-token")):
        response = getattr(Client(), method)(path, **SPANISH)
        html = response.content.decode()
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert '<html lang="es"' in html
        assert "Este enlace para cancelar la suscripción ya no es válido" in html
        assert ">Iniciar sesión</a>" in html
    assert events_since(mark) == []
