"""Email preferences per profile (R-EM-1) and text-message preferences per account (R-SMS-1), through HTTP."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import PhoneNumber
from consent import policy
from consent.choices import REGISTRY, Choice, Page, Source
from tests.factories import AccountFactory
from tests.helpers import control, events_since, last_event_id, profile_named, switches, values_of

pytestmark = pytest.mark.django_db

MARKETING = [Choice.EMAIL_NEW_ARRIVALS, Choice.EMAIL_RECOMMENDATIONS, Choice.EMAIL_OFFERS, Choice.EMAIL_SURVEYS]


def emails_url(profile) -> str:
    return reverse("consent:emails", kwargs={"profile": profile.pk})


def test_email_page_shows_the_four_categories_and_service_email_always_on__R_EM_1(member_client, ads_account):
    response = member_client.get(emails_url(profile_named(ads_account, "Sam")))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for label in ("New arrivals", "Recommendations", "Offers and news", "Surveys"):
        assert label in html
    assert "Service email (billing, security, password reset)" in html
    assert "Always on" in html
    assert switches(html) == {key: True for key in [*MARKETING, Choice.EMAIL_SERVICE]}
    assert "disabled" in control(html, Choice.EMAIL_SERVICE)


def test_a_kids_profile_is_offered_no_marketing_email_and_told_why__R_EM_3(member_client, ads_account):
    """R-EM-3: the page asks the same rule as the sender (policy.marketing_email_offered)."""
    html = member_client.get(emails_url(profile_named(ads_account, "Kids"))).content.decode()
    assert switches(html) == {Choice.EMAIL_SERVICE: True}
    assert "we send no marketing email for kids profiles" in html
    response = member_client.post(
        emails_url(profile_named(ads_account, "Kids")),
        {"action": "save", "shown": "email_offers", "email_offers": "on"},
    )
    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.CONFLICT), "a forged category changes nothing"


def test_email_categories_are_registry_entries_of_the_profile__R_EM_1():
    specs = REGISTRY.on_page(Page.EMAILS)
    assert [spec.key for spec in specs] == [*MARKETING, Choice.EMAIL_SERVICE]
    assert {spec.scope for spec in specs} == {"profile"}
    assert [spec.can_turn_off for spec in specs] == [True, True, True, True, False]


def test_turning_a_category_off_is_saved_per_profile_and_audited__R_EM_1_R_AU_1(member_client, ads_account):
    sam, alex = profile_named(ads_account, "Sam"), profile_named(ads_account, "Alex")
    mark = last_event_id()
    posted = {"action": "save", "email_new_arrivals": "on", "email_recommendations": "on", "email_offers": "on"}

    response = member_client.post(emails_url(sam), posted, follow=True)

    assert "Saved the email preferences for Sam." in response.content.decode()
    assert events_since(mark) == [("Sam", Choice.EMAIL_SURVEYS, True, False, Source.MEMBER, ads_account.email)]
    assert values_of(sam)[Choice.EMAIL_SURVEYS] is False
    assert values_of(alex)[Choice.EMAIL_SURVEYS] is True


def test_service_email_cannot_be_turned_off_by_leaving_it_out__R_EM_1(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    member_client.post(emails_url(sam), {"action": "save", **dict.fromkeys(MARKETING, "on")})
    assert events_since(mark) == []
    assert values_of(sam)[Choice.EMAIL_SERVICE] is True


def test_a_forged_field_is_400_and_a_stale_form_409__R_EM_1(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    mark = last_event_id()
    assert member_client.post(emails_url(sam), {"mic": "on"}).status_code == HTTPStatus.BAD_REQUEST
    assert member_client.post(emails_url(sam), {"email_offers": "yes"}).status_code == HTTPStatus.BAD_REQUEST
    stale = member_client.post(emails_url(sam), {"shown": "email_offers"})
    assert stale.status_code == HTTPStatus.CONFLICT
    assert events_since(mark) == []


def test_another_accounts_profile_is_404(member_client):
    other = AccountFactory()
    assert member_client.get(emails_url(other.profiles.get())).status_code == HTTPStatus.NOT_FOUND


def test_email_page_is_linked_from_privacy_settings_and_the_account_page__R_EM_1(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    assert emails_url(sam) in member_client.get(sam.get_absolute_url()).content.decode()
    assert emails_url(sam) in member_client.get(reverse("account")).content.decode()


# Text messages ------------------------------------------------------------------------------------------------

TEXTS = [Choice.SMS_ALERTS, Choice.SMS_OFFERS, Choice.SMS_SURVEYS]


def test_text_page_without_a_phone_shows_no_settings__R_SMS_1_R_SMS_2(member_client):
    html = member_client.get(reverse("consent:texts")).content.decode()
    assert "There is no phone number on your account" in html
    assert switches(html) == {}
    assert member_client.post(reverse("consent:texts"), {}).status_code == HTTPStatus.CONFLICT


def test_text_page_with_a_phone_shows_three_categories_and_the_reset_note__R_SMS_1(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    html = member_client.get(reverse("consent:texts")).content.decode()
    for label in ("Alerts", "Special offers", "Surveys"):
        assert label in html
    assert switches(html) == dict.fromkeys(TEXTS, True)
    assert "you will still receive a text message from us if you request a password reset by text message" in html
    assert "Text message preferences" in member_client.get(reverse("account")).content.decode()


def test_turning_all_texts_off_is_audited_on_the_account__R_SMS_1(member_client, ads_account):
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    mark = last_event_id()
    response = member_client.post(reverse("consent:texts"), {"action": "save"}, follow=True)
    assert "Saved your text message preferences." in response.content.decode()
    assert events_since(mark) == [(None, key, True, False, Source.MEMBER, ads_account.email) for key in TEXTS]


def test_a_reset_text_is_allowed_with_every_category_off_but_never_without_a_phone__R_SMS_1_R_SMS_2():
    off = dict.fromkeys(TEXTS, False)
    assert not any(policy.marketing_text_allowed(off, key, has_phone=True) for key in TEXTS)
    assert policy.reset_text_allowed(has_phone=True)
    assert not policy.reset_text_allowed(has_phone=False)
    on = dict.fromkeys(TEXTS, True)
    assert not any(policy.marketing_text_allowed(on, key, has_phone=False) for key in TEXTS)


# Whatever is posted to either page: a redirect after a change, or the page itself (400, 409) and no change.

any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=100)
fields = st.sampled_from(
    ["action", "shown", "csrfmiddlewaretoken", "mic", "extra", *MARKETING, Choice.EMAIL_SERVICE, *TEXTS]
)
values = st.one_of(st.sampled_from(["save", "on", "off", "", " ".join(MARKETING), " ".join(TEXTS)]), any_text)
forms = st.dictionaries(fields, st.lists(values, min_size=1, max_size=3), max_size=6)
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROPERTY
@given(form=forms, page=st.sampled_from(["emails", "texts"]), with_phone=st.booleans())
def test_the_email_and_text_forms_never_answer_a_server_error_and_a_refused_post_changes_nothing__R_EM_1_R_SMS_1(
    member_client, ads_account, form, page, with_phone
):
    if with_phone:
        PhoneNumber.objects.get_or_create(account=ads_account, defaults={"number": "+14155550123"})
    else:
        PhoneNumber.objects.filter(account=ads_account).delete()
    url = emails_url(profile_named(ads_account, "Sam")) if page == "emails" else reverse("consent:texts")
    mark = last_event_id()
    response = member_client.post(url, form)
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST, HTTPStatus.CONFLICT}
    if response.status_code != HTTPStatus.FOUND:
        assert response["Content-Type"].startswith("text/html")
        assert events_since(mark) == []


# Spanish (R-I18N-1) ---------------------------------------------------------------------------------------------

ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_the_email_page_reads_in_spanish_and_says_what_it_saved__R_I18N_1_R_EM_1(member_client, ads_account):
    sam = profile_named(ads_account, "Sam")
    html = member_client.get(emails_url(sam), **ES).content.decode()
    assert '<html lang="es"' in html
    for spanish in (
        "<h1>Preferencias de correo electrónico</h1>",
        "Elige qué correos electrónicos se envían al perfil <strong>Sam</strong>.",
        "Novedades",
        "Recomendaciones",
        "Ofertas y noticias",
        "Encuestas",
        "Correos del servicio (facturación, seguridad, restablecimiento de contraseña)",
        "Siempre activados",
        ">Guardar</button>",
    ):
        assert spanish in html
    assert "New arrivals" not in html
    saved = member_client.post(emails_url(sam), {"action": "save"}, follow=True, **ES)
    assert "Se guardaron las preferencias de correo electrónico de Sam." in saved.content.decode()
    kids = member_client.get(emails_url(profile_named(ads_account, "Kids")), **ES).content.decode()
    assert "Kids es un perfil infantil: no enviamos correos de marketing a los perfiles infantiles." in kids


def test_the_text_page_reads_in_spanish_with_and_without_a_phone__R_I18N_1_R_SMS_1(member_client, ads_account):
    html = member_client.get(reverse("consent:texts"), **ES).content.decode()
    assert "<h1>Preferencias de mensajes de texto</h1>" in html
    assert "Tu cuenta no tiene un número de teléfono, así que no te enviamos mensajes de texto." in html
    assert ">Agregar un número de teléfono</a>" in html
    PhoneNumber.objects.create(account=ads_account, number="+14155550123")
    html = member_client.get(reverse("consent:texts"), **ES).content.decode()
    for spanish in ("Mensajes de texto (SMS)", "Alertas", "Ofertas especiales", "Encuestas", "eliminar tu número"):
        assert spanish in html
    assert "de todos modos recibirás un mensaje de texto nuestro si pides restablecer tu contraseña" in html
    saved = member_client.post(reverse("consent:texts"), {"action": "save"}, follow=True, **ES).content.decode()
    assert "Se guardaron tus preferencias de mensajes de texto." in saved
    again = member_client.post(reverse("consent:texts"), {"action": "save"}, follow=True, **ES).content.decode()
    assert "No cambió nada: tu configuración ya estaba así." in again
