"""The member's devices page (R-DEV-1): every device the app registered for the account, with its platform, when it
was last seen and the limit-ad-tracking and notification settings the app reported; how to change them in the
device's own settings (seed 000); and "Sign out this device": asked to confirm on a page of its own, a POST with
CSRF, audited, and the device's app token stops working at once. Another account's device is unknown (404)."""

import json
import re
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import cast

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account
from consent import history, selectors, services
from consent.choices import Choice, Source
from consent.models import AppToken, ChoiceValue, ConsentEvent, Device, Platform, PushMessage
from tests.factories import PASSWORD, AccountFactory, ProfileFactory
from tests.helpers import register_device, uuid_like, watching, words

START = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
DEVICES = reverse("consent:devices")
ANDROID = {"platform": "android", "advertising_id": "", "limit_ad_tracking": True, "notifications": False}

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(START, tick=False)]


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in Spanish leaves Spanish active in the thread (LocaleMiddleware activates, nothing resets):
    each test here ends in the site's default language, so that no later test reads Spanish by accident."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def app_signs_in_and_registers(client, account, body=ANDROID):
    """The app's own steps: a token for the member's password, then the device registered with it; (token, id)."""
    issued = client.post(
        "/api/v1/app/tokens",
        json.dumps({"email": account.email, "password": PASSWORD}),
        content_type="application/json",
    )
    token = issued.json()["token"]
    created = client.post("/api/v1/devices", json.dumps(body), content_type="application/json", **bearer(token))
    assert created.status_code == HTTPStatus.CREATED
    return token, created.json()["id"]


def token_works(client, token, device_id):
    """The app reports its device again with the token: 200 while the token and device are the member's."""
    response = client.put(
        f"/api/v1/devices/{device_id}", json.dumps(ANDROID), content_type="application/json", **bearer(token)
    )
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND}
    return response.status_code == HTTPStatus.OK


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


# The page ---------------------------------------------------------------------------------------------------------


def test_page_lists_each_device_with_platform_last_seen_and_reported_settings__R_DEV_1(
    member_client, ads_account, time_machine
):
    register_device(ads_account, limited=False, notifications=True)
    time_machine.move_to(START + timedelta(days=2), tick=False)
    register_device(ads_account, limited=True, notifications=False)
    text = page_text(member_client.get(DEVICES))
    assert '<h2 id="devices-heading">2 devices</h2>' in text
    assert '<h3 class="device-name">iOS device added <time datetime="2026-11-03">3 Nov 2026</time></h3>' in text
    assert '<h3 class="device-name">iOS device added <time datetime="2026-11-05">5 Nov 2026</time></h3>' in text
    first, second = text.split('<h3 class="device-name">iOS device added')[1:3]
    assert "<dt>Platform</dt><dd>iOS</dd>" in first
    assert '<dt>Last seen</dt><dd><time datetime="2026-11-03T09:30:00+00:00">3 Nov 2026 09:30</time>' in first
    assert "<dt>Limit ad tracking</dt> <dd>Off</dd>" in first
    assert "<dt>Push notifications</dt> <dd>Allowed</dd>" in first
    assert (
        "<dt>Limit ad tracking</dt> <dd>On: ads on this device are not tailored to your likely interests</dd>" in second
    )
    assert "<dt>Push notifications</dt> <dd>Off: we send this device no push notifications</dd>" in second


def test_last_seen_is_the_apps_latest_report_or_use_of_its_token__R_DEV_1(client, ads_account, time_machine):
    token, device_id = app_signs_in_and_registers(client, ads_account)
    time_machine.move_to(START + timedelta(days=3), tick=False)
    assert token_works(client, token, device_id)
    (shown,) = selectors.account_devices(account=ads_account)
    assert shown.last_seen == START + timedelta(days=3)
    assert shown.limits_ad_tracking is True
    assert shown.notifications is False


def test_page_tells_how_to_change_the_settings_on_the_device__R_DEV_1(member_client):
    """Seed 000: push notifications are turned off, and the advertising identifier limited, in the device's own
    settings; the page says so even before any device is registered."""
    text = page_text(member_client.get(DEVICES))
    assert "The mobile app has not registered any device for your account." in text
    assert "you can use your mobile device's settings to turn them off" in text
    assert "usually found under “privacy” or “ads” in your device's settings" in text
    assert "You may still see ads on your device, but they will not be tailored to your likely interests." in text


ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_page_reads_in_spanish_with_the_days_in_spanish__R_DEV_1_R_I18N_1(member_client, ads_account, time_machine):
    register_device(ads_account, limited=False, notifications=True)
    time_machine.move_to(START + timedelta(days=2), tick=False)
    register_device(ads_account, limited=True, notifications=False)
    text = page_text(member_client.get(DEVICES, **ES))
    assert '<html lang="es"' in text
    assert "<title>Tus dispositivos" in text
    assert "<h1>Tus dispositivos</h1>" in text
    assert '<h2 id="devices-heading">2 dispositivos</h2>' in text
    assert (
        '<h3 class="device-name">Dispositivo iOS agregado el '
        '<time datetime="2026-11-03">3 de noviembre de 2026</time></h3>' in text
    )
    assert (
        '<h3 class="device-name">Dispositivo iOS agregado el '
        '<time datetime="2026-11-05">5 de noviembre de 2026</time></h3>' in text
    )
    first, second = text.split('<h3 class="device-name">Dispositivo iOS agregado')[1:3]
    assert "<dt>Plataforma</dt><dd>iOS</dd>" in first
    assert (
        '<dt>Última actividad</dt><dd><time datetime="2026-11-03T09:30:00+00:00">3 de noviembre de 2026, 09:30</time>'
        in (first)
    )
    assert "<dt>Limitar el seguimiento publicitario</dt> <dd>Desactivado</dd>" in first
    assert "<dt>Notificaciones push</dt> <dd>Activadas</dd>" in first
    assert "<dd>Activado: los anuncios en este dispositivo no se adaptan a tus posibles intereses</dd>" in second
    assert "<dd>Desactivadas: no enviamos notificaciones push a este dispositivo</dd>" in second
    assert "Cerrar sesión en este dispositivo<span" in text
    assert '<span class="visually-hidden">: Dispositivo iOS agregado el 3 de noviembre de 2026</span>' in text


def test_page_tells_in_spanish_how_to_change_the_settings_on_the_device__R_DEV_1_R_I18N_1(member_client):
    """Seed 000's guidance, in Spanish: the device's own settings turn push notifications off and limit the
    advertising identifier."""
    text = page_text(member_client.get(DEVICES, **ES))
    assert "La app móvil no ha registrado ningún dispositivo para tu cuenta." in text
    assert '<h2 id="change-heading">Cómo cambiar esta configuración en tu dispositivo</h2>' in text
    assert "puedes desactivarlas en la configuración de tu dispositivo móvil" in text
    assert "(suele estar en “privacidad” o “anuncios”, en la configuración del dispositivo)" in text
    assert "Es posible que sigas viendo anuncios en tu dispositivo, pero no se adaptarán a tus posibles intereses." in (
        text
    )
    shown = re.sub(r"<[^>]+>", " ", text.split("<main")[1].split("</main>")[0])
    assert not re.search(r"\b(device|settings|notifications)\b", shown), "no English left on the page"


def test_account_page_links_to_the_devices__R_DEV_1(member_client):
    html = member_client.get(reverse("account")).content.decode()
    assert f'href="{DEVICES}">Your devices: their settings, and signing one out</a>' in html


def test_page_shows_only_the_accounts_own_devices__R_DEV_1(member_client, ads_account):
    register_device(cast(Account, AccountFactory(email="theirs@example.com")))
    assert "0 devices" in page_text(member_client.get(DEVICES))


def test_page_needs_a_signed_in_member(client):
    response = client.get(DEVICES)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


# Sign out this device ------------------------------------------------------------------------------------------


def test_sign_out_is_asked_to_confirm_first_on_a_page_without_javascript__R_DEV_1(member_client, ads_account):
    device = register_device(ads_account)
    listing = member_client.get(DEVICES).content.decode()
    assert f'href="?confirm={device.pk}">Sign out this device' in listing
    confirm = page_text(member_client.get(DEVICES, {"confirm": str(device.pk)}))
    assert (
        '<h2 id="confirm-heading">Sign out your iOS device added <time datetime="2026-11-03">3 Nov 2026</time>?</h2>'
        in confirm
    )
    assert f'<form method="post" action="{DEVICES}">' in confirm
    assert 'name="csrfmiddlewaretoken"' in confirm
    assert f'<input type="hidden" name="device" value="{device.pk}">' in confirm
    assert Device.objects.filter(pk=device.pk).exists(), "asking changes nothing"


def test_sign_out_asks_and_answers_in_spanish__R_DEV_1_R_I18N_1(member_client, ads_account):
    device = register_device(ads_account)
    confirm = page_text(member_client.get(DEVICES, {"confirm": str(device.pk)}, **ES))
    assert "<title>Cerrar sesión en este dispositivo" in confirm
    assert (
        '<h2 id="confirm-heading">¿Cerrar sesión en tu dispositivo iOS agregado el '
        '<time datetime="2026-11-03">3 de noviembre de 2026</time>?</h2>' in confirm
    )
    assert "La app de ese dispositivo deja de funcionar con tu cuenta de inmediato" in confirm
    assert '<button type="submit" class="button">Cerrar sesión en este dispositivo</button>' in confirm
    assert f'<a href="{DEVICES}">Cancelar</a>' in confirm
    done = member_client.post(DEVICES, {"device": str(device.pk)}, follow=True, **ES).content.decode()
    assert words("es", "The device was signed out. The app on it will ask you to sign in again.") in done
    assert "Se cerró la sesión en el dispositivo." in done
    again = member_client.post(DEVICES, {"device": str(device.pk)}, follow=True, **ES)
    assert again.status_code == HTTPStatus.NOT_FOUND, "a device signed out is gone, as one never registered"


def test_signing_out_removes_the_device_and_writes_one_event__R_DEV_1_R_AU_1(member_client, ads_account):
    device = register_device(ads_account)
    PushMessage.objects.create(device=device, title="New episode", body="It is out")
    ref = device.event_ref
    mark = ConsentEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = member_client.post(DEVICES, {"device": str(device.pk)}, follow=True)
    assert response.redirect_chain == [(DEVICES, HTTPStatus.FOUND)]
    assert "The device was signed out. The app on it will ask you to sign in again." in response.content.decode()
    assert not Device.objects.filter(pk=device.pk).exists()
    assert not ChoiceValue.objects.filter(device_id=device.pk).exists()
    assert not PushMessage.objects.filter(device_id=device.pk).exists()
    assert list(
        ConsentEvent.objects.filter(id__gt=mark).values_list(
            "account", "profile", "choice", "old_value", "new_value", "source", "acting_user", "jurisdiction", "context"
        )
    ) == [
        (
            ads_account.pk,
            None,
            Choice.DEVICE_SIGNED_OUT,
            False,
            True,
            Source.MEMBER,
            ads_account.pk,
            "US-CA",
            {"device": ref, "platform": "ios", "device_added": "2026-11-03"},
        )
    ]


def test_the_history_says_which_device_was_signed_out__R_DEV_1_R_HIST_1(member_client, ads_account):
    member_client.post(DEVICES, {"device": str(register_device(ads_account).pk)})
    newest = selectors.history_events(account=ads_account).first()
    assert newest is not None
    row = history.row(newest, selectors.history_subjects(account=ads_account, profiles=[]))
    assert row.sentence == "Your iOS device added 3 Nov 2026 was signed out — by you, in California, 3 Nov 2026 09:30"
    with translation.override("es"):
        row = history.row(newest, selectors.history_subjects(account=ads_account, profiles=[]))
    assert row.sentence == (
        "Se cerró la sesión en tu dispositivo iOS agregado el 3 de noviembre de 2026 — por ti, en California,"
        " el 3 de noviembre de 2026, 09:30"
    )


def test_signing_out_a_device_ends_its_app_token_at_once__R_DEV_1(client, ads_account):
    token, device_id = app_signs_in_and_registers(client, ads_account)
    other_token, other_device = app_signs_in_and_registers(client, ads_account)
    assert token_works(client, token, device_id)
    member = Client()
    member.force_login(ads_account)
    member.post(DEVICES, {"device": device_id})

    response = client.post("/api/v1/devices", json.dumps(ANDROID), content_type="application/json", **bearer(token))
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Bearer"
    assert not AppToken.objects.filter(device_id=device_id).exists()
    assert token_works(client, other_token, other_device), "the account's other device stays signed in"


def test_a_token_follows_the_device_it_last_reported__R_DEV_1(client, ads_account):
    token, first = app_signs_in_and_registers(client, ads_account)
    created = client.post("/api/v1/devices", json.dumps(ANDROID), content_type="application/json", **bearer(token))
    second = created.json()["id"]
    assert AppToken.objects.get().device_id is not None
    assert str(AppToken.objects.get().device_id) == second
    services.device_sign_out(
        account=ads_account,
        device=Device.objects.get(pk=first),
        actor=services.Actor(source=Source.MEMBER, acting_user=ads_account),
    )
    assert token_works(client, token, second), "signing out the device it no longer reports leaves it working"


def test_sign_out_needs_the_csrf_token(ads_account):
    device = register_device(ads_account)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ads_account)
    assert browser.post(DEVICES, {"device": str(device.pk)}).status_code == HTTPStatus.FORBIDDEN
    assert Device.objects.filter(pk=device.pk).exists()


def test_a_device_already_signed_out_is_said_so_and_changes_nothing__R_DEV_1(member_client, ads_account):
    device = register_device(ads_account)
    services.device_sign_out(
        account=ads_account, device=device, actor=services.Actor(source=Source.MEMBER, acting_user=ads_account)
    )
    events = ConsentEvent.objects.count()
    assert (
        services.device_sign_out(
            account=ads_account, device=device, actor=services.Actor(source=Source.MEMBER, acting_user=ads_account)
        )
        is False
    )
    assert member_client.post(DEVICES, {"device": str(device.pk)}).status_code == HTTPStatus.NOT_FOUND
    assert ConsentEvent.objects.count() == events


@pytest.mark.parametrize("method", ["confirm", "post"])
def test_another_accounts_device_is_not_found__R_DEV_1(member_client, method):
    """IDOR: another account's device answers as one that does not exist, and stays registered and signed in."""
    theirs = register_device(cast(Account, AccountFactory(email="theirs@example.com")))
    if method == "confirm":
        response = member_client.get(DEVICES, {"confirm": str(theirs.pk)})
    else:
        response = member_client.post(DEVICES, {"device": str(theirs.pk)})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Device.objects.filter(pk=theirs.pk).exists()
    assert not ConsentEvent.objects.filter(choice=Choice.DEVICE_SIGNED_OUT).exists()


@pytest.fixture
def their_device_id(db) -> str:
    return str(register_device(cast(Account, AccountFactory(email="theirs@example.com"))).pk)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    device=st.one_of(st.none(), uuid_like, st.sampled_from(["mine", "theirs"])),
    extra=st.dictionaries(st.sampled_from(["confirm", "action", "device[]"]), uuid_like, max_size=2),
    ask_first=st.booleans(),
)
def test_any_sign_out_post_or_confirm_gets_a_redirect_a_page_or_404_never_a_server_error__R_DEV_1(
    client, ads_account, their_device_id, device, extra, ask_first
):
    client.force_login(ads_account)
    mine = Device.objects.filter(account=ads_account).first() or register_device(ads_account)
    value = {"mine": str(mine.pk), "theirs": their_device_id}.get(device or "", device)
    data = {**extra, **({"device": value} if value is not None else {})}
    if ask_first:
        response = client.get(DEVICES, {"confirm": value} if value is not None else {"confirm": ""})
        assert response.status_code in {HTTPStatus.OK, HTTPStatus.NOT_FOUND}, data
    else:
        response = client.post(DEVICES, data)
        assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.NOT_FOUND}, data
    if value == their_device_id:
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert Device.objects.filter(pk=their_device_id).exists()


# Queries ----------------------------------------------------------------------------------------------------------

# Cold, as tests/test_query_counts.py counts: the account (with phone), its devices (with the last use of their
# tokens and their reported settings, in the same query), the profiles (the header), and the jurisdictions for
# the cookie banner's words (R-CK-2) until the browser has chosen. Warm: the account, profiles and jurisdictions
# are cached.
COLD, WARM = 4, 1


def member_with_devices(client, devices: int, profiles: int = 1) -> Account:
    account = cast(Account, AccountFactory(primary_profile_name="Alex"))
    for _ in range(profiles - 1):
        ProfileFactory(account=account)
    for n in range(devices):
        services.device_register(
            account=account,
            platform=Platform.ANDROID if n % 2 else Platform.IOS,
            advertising_id="",
            limit_ad_tracking=bool(n % 2),
            notifications=not n % 2,
            acting_user=account,
        )
    watching(client, account, "Alex")
    return account


def counted(client, count_queries):
    with count_queries() as queries:
        response = client.get(DEVICES)
    assert response.status_code == HTTPStatus.OK
    assert "Watching as Alex" in response.content.decode()
    return queries


@pytest.mark.parametrize("profiles", [1, 5])
@pytest.mark.parametrize("devices", [1, 5])
def test_devices_page_makes_a_pinned_number_of_queries__R_DEV_1(client, count_queries, devices, profiles):
    member_with_devices(client, devices, profiles)
    queries = counted(client, count_queries)
    assert len(queries) == COLD, f"expected {COLD}, got:\n{queries}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rules")
@pytest.mark.parametrize("devices", [1, 5])
def test_devices_page_reads_the_shared_cache_once_it_is_filled__R_DEV_1(client, count_queries, devices):
    member_with_devices(client, devices)
    cold = counted(client, count_queries)
    warm = counted(client, count_queries)
    assert len(cold) == COLD, f"the first request fills the cache:\n{cold}"
    assert len(warm) == WARM, f"expected {WARM}, got:\n{warm}"
