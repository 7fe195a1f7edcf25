"""The member's privacy history (R-HIST-1): every change of the account's choices, newest first, a page at a time, in
plain words; filterable by profile; downloadable as CSV and JSON with the same rows, streamed, whatever its length;
never another account's, never a staff member's name or email, never an internal id.

The account's history is made the way members, browsers, staff, mail providers, phones and the app make it: the
member's pages, a request with the signal, the admin's action, the unsubscribe link, the STOP webhook, the app's
device report, plan and kids changes and new profiles, each at its own frozen time."""

import csv
import io
import json
import re
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from http import HTTPStatus
from typing import Any, cast
from uuid import UUID

import pytest
from django.conf import settings as django_settings
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services as account_services
from accounts.models import Account, Plan, Profile
from consent import email, history, policy, services, webhooks
from consent.choices import REGISTRY, Choice, Source
from consent.models import ConsentEvent
from consent.services.choices import event
from tests.factories import AccountFactory, ProfileFactory, StaffFactory
from tests.helpers import GPC, profile_named, register_device, watching, words

HISTORY = reverse("consent:history")
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# Every test on one frozen clock (a test that needs another moment moves it): the sentences carry the time.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(START, tick=False)]
WEBHOOK_SECRET = "test-webhook-secret-0123456789"  # netflix_privacy.settings.test


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request in Spanish leaves Spanish active in the thread (LocaleMiddleware activates, nothing resets):
    each test here ends in the site's default language, so that no later test reads Spanish by accident."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


class _Sentences(HTMLParser):
    """The text of each change of the page's history list, as a screen reader reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.sentences: list[str] = []
        self._in_list = False
        self._in_item = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "ol" and ("class", "history-list") in attrs:
            self._in_list = True
        elif tag == "li" and self._in_list:
            self._in_item = True
            self.sentences.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._in_item = False
        elif tag == "ol":
            self._in_list = False

    def handle_data(self, data: str) -> None:
        if self._in_item:
            self.sentences[-1] += data


def sentences(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK, response.status_code
    parser = _Sentences()
    parser.feed(response.content.decode())
    return [" ".join(sentence.split()) for sentence in parser.sentences]


def chunks(response) -> Iterator[bytes]:
    """A streamed download's body, chunk by chunk (a synchronous stream: the view gives an iterator)."""
    assert isinstance(response, StreamingHttpResponse)
    return cast(Iterator[bytes], response.streaming_content)


def streamed(response) -> str:
    assert response.status_code == HTTPStatus.OK, response.status_code
    return b"".join(chunks(response)).decode("utf-8")


def csv_rows(response) -> list[dict[str, str]]:
    text = streamed(response)
    assert text.startswith("\ufeff"), "a byte-order mark, for spreadsheets"
    return list(csv.DictReader(io.StringIO(text[1:])))


def json_rows(response) -> list[dict]:
    return json.loads(streamed(response))


def stop_text(number: str) -> None:
    """An inbound STOP, signed as the SMS provider signs it (R-SMS-3)."""
    body = json.dumps({"from": number, "text": "STOP"}).encode()
    timestamp = int(time.time())
    signature = webhooks.sign(body=body, timestamp=timestamp, secret=WEBHOOK_SECRET)
    response = Client(enforce_csrf_checks=True).post(
        reverse("sms_inbound"),
        body,
        content_type="application/json",
        headers={webhooks.TIMESTAMP_HEADER: str(timestamp), webhooks.SIGNATURE_HEADER: signature},
    )
    assert response.status_code == HTTPStatus.OK


@pytest.fixture
def staff_member(db) -> Account:
    return cast(Account, StaffFactory(email="dana.support@example.com"))


@pytest.fixture
def lived_in(client, time_machine, staff_member) -> Account:
    """An account in California with a phone and three profiles, and a month of changes of every kind, each at
    its own minute. The client is signed in to it, watching as Sam."""
    time_machine.move_to(START, tick=False)
    account = cast(
        Account,
        AccountFactory(
            email="ads@example.com",
            plan=Plan.STANDARD_WITH_ADS,
            region="US-CA",
            primary_profile_name="Alex",
            phone="+14155550123",
        ),
    )
    ProfileFactory(account=account, name="Sam")
    ProfileFactory(account=account, name="Kids", is_kids=True)
    staff = Client()
    staff.force_login(staff_member)

    def at(day: int, hour: int, minute: int) -> None:
        time_machine.move_to(datetime(2026, 12, day, hour, minute, tzinfo=UTC), tick=False)

    at(1, 14, 2)  # Sam's browser sends the signal (R-GPC-3)
    watching(client, account, "Sam").get(reverse("account"), **GPC)
    at(2, 10, 30)  # the member turns MIC off for Alex on the privacy page
    alex = profile_named(account, "Alex")
    client.post(alex.get_absolute_url(), {"action": "save", "ba": "on"})
    at(3, 8, 15)  # support staff opt Kids out of all (R-AU-4)
    kids = profile_named(account, "Kids")
    staff.post(
        reverse("admin:accounts_profile_changelist"),
        {"action": "opt_profiles_out_of_all", "_selected_action": [str(kids.pk)]},
    )
    at(4, 19, 45)  # an unsubscribe link in an email to Sam (R-EM-2)
    token = email.unsubscribe_token(profile=profile_named(account, "Sam"), category=Choice.EMAIL_OFFERS)
    Client().post(
        f"{reverse('unsubscribe')}?{urlencode({email.TOKEN_PARAMETER: token})}", {"List-Unsubscribe": "One-Click"}
    )
    at(5, 7, 0)  # a STOP text from the account's phone (R-SMS-3)
    stop_text("+14155550123")
    at(6, 12, 0)  # the member adds Robin
    client.post(reverse("profile_add"), {"name": "Robin"})
    at(7, 16, 20)  # support staff make Robin a kids profile (R-PDS-2)
    account_services.profile_set_kids(profile=profile_named(account, "Robin"), is_kids=True, acting_user=staff_member)
    at(8, 9, 5)  # the plan changes to one without ads (R-PDS-5)
    account_services.account_set_plan(account=account, plan=Plan.PREMIUM, acting_user=None)
    at(9, 21, 40)  # the app registers an iPhone that allows tracking and notifications (R-AD-1, R-PUSH-1)
    register_device(account, limited=False, notifications=True)
    at(10, 11, 11)  # the member opts all profiles out of all from Alex's page (R-PDS-4)
    client.post(alex.get_absolute_url(), {"action": "opt_all_profiles"})
    at(11, 13, 0)  # and adds Jo while that is in force (R-PDS-7)
    client.post(reverse("profile_add"), {"name": "Jo"})
    at(12, 18, 30)  # under the signal, the member keeps MIC on for Sam anyway (R-GPC-6)
    client.post(
        profile_named(account, "Sam").get_absolute_url(),
        {"action": "save", "mic": "on", "confirm_signal": "yes"},
        **GPC,
    )
    at(15, 10, 0)
    return account


EXPECTED = [
    "Matched Identifier Communications kept on for Sam despite the Global Privacy Control signal"
    " — by you, in California, 12 Dec 2026 18:30",
    "Matched Identifier Communications turned on for Sam — by you, in California, 12 Dec 2026 18:30",
    "Behavioral Advertising first set to off for Jo"
    " — by “Opt all profiles out of all”, which was in force, in California, 11 Dec 2026 13:00",
    "Matched Identifier Communications first set to off for Jo"
    " — by “Opt all profiles out of all”, which was in force, in California, 11 Dec 2026 13:00",
    "All profiles opted out of all, including profiles added later"
    " — by you, with “Opt all profiles out of all”, in California, 10 Dec 2026 11:11",
    "Behavioral Advertising turned off for Robin — by you, with “Opt all profiles out of all”, in California,"
    " 10 Dec 2026 11:11",
    "Matched Identifier Communications turned off for Robin — by you, with “Opt all profiles out of all”,"
    " in California, 10 Dec 2026 11:11",
    "Behavioral Advertising turned off for Alex — by you, with “Opt all profiles out of all”, in California,"
    " 10 Dec 2026 11:11",
    "Notifications (device setting) turned on for your iOS device added 9 Dec 2026"
    " — by the mobile app, in California, 9 Dec 2026 21:40",
    "Limit ad tracking (device setting) turned off for your iOS device added 9 Dec 2026"
    " — by the mobile app, in California, 9 Dec 2026 21:40",
    "Behavioral Advertising stopped applying to Alex because the plan changed to one without ads"
    " — by the system, in California, 8 Dec 2026 09:05",
    "Surveys (email) stopped applying to Robin because it became a kids profile"
    " — by support staff, in California, 7 Dec 2026 16:20",
    "Offers and news (email) stopped applying to Robin because it became a kids profile"
    " — by support staff, in California, 7 Dec 2026 16:20",
    "Recommendations (email) stopped applying to Robin because it became a kids profile"
    " — by support staff, in California, 7 Dec 2026 16:20",
    "New arrivals (email) stopped applying to Robin because it became a kids profile"
    " — by support staff, in California, 7 Dec 2026 16:20",
    "Behavioral Advertising stopped applying to Robin because it became a kids profile"
    " — by support staff, in California, 7 Dec 2026 16:20",
    "Behavioral Advertising first set to on for Robin — by the system, in California, 6 Dec 2026 12:00",
    "Matched Identifier Communications first set to on for Robin — by the system, in California, 6 Dec 2026 12:00",
    "Surveys (text) turned off for your account — by a STOP text message, in California, 5 Dec 2026 07:00",
    "Special offers (text) turned off for your account — by a STOP text message, in California, 5 Dec 2026 07:00",
    "Alerts (text) turned off for your account — by a STOP text message, in California, 5 Dec 2026 07:00",
    "Offers and news (email) turned off for Sam — by an unsubscribe link in an email, in California, 4 Dec 2026 19:45",
    "Behavioral Advertising turned off for Kids — by support staff, in California, 3 Dec 2026 08:15",
    "Matched Identifier Communications turned off for Kids — by support staff, in California, 3 Dec 2026 08:15",
    "Matched Identifier Communications turned off for Alex — by you, in California, 2 Dec 2026 10:30",
    "Global Privacy Control signal received for Sam — from your browser, in California, 1 Dec 2026 14:02",
    "Behavioral Advertising turned off for Sam"
    " — by the Global Privacy Control signal from your browser, in California, 1 Dec 2026 14:02",
    "Matched Identifier Communications turned off for Sam"
    " — by the Global Privacy Control signal from your browser, in California, 1 Dec 2026 14:02",
    "Behavioral Advertising first set to on for Kids — by the system, in California, 1 Dec 2026 09:00",
    "Matched Identifier Communications first set to on for Kids — by the system, in California, 1 Dec 2026 09:00",
    "Behavioral Advertising first set to on for Sam — by the system, in California, 1 Dec 2026 09:00",
    "Matched Identifier Communications first set to on for Sam — by the system, in California, 1 Dec 2026 09:00",
    "Behavioral Advertising first set to on for Alex — by the system, in California, 1 Dec 2026 09:00",
    "Matched Identifier Communications first set to on for Alex — by the system, in California, 1 Dec 2026 09:00",
]


def test_every_change_of_every_kind_reads_in_plain_words_newest_first__R_HIST_1(client, lived_in):
    assert ConsentEvent.objects.filter(account=lived_in).count() == len(EXPECTED) == 34
    first = client.get(HISTORY)
    assert sentences(first) == EXPECTED[: history.PAGE_SIZE]
    assert "34 changes" in first.content.decode()
    assert sentences(client.get(HISTORY, {"page": 2})) == EXPECTED[history.PAGE_SIZE :]


def test_history_is_filtered_by_profile_with_a_plain_get_form__R_HIST_1(client, lived_in):
    page = client.get(HISTORY)
    html = page.content.decode()
    assert '<form method="get"' in html
    assert '<label for="id_profile">Show changes for</label>' in html
    sam = profile_named(lived_in, "Sam")
    assert sentences(client.get(HISTORY, {"profile": str(sam.pk)})) == [s for s in EXPECTED if " for Sam " in s]
    account_only = sentences(client.get(HISTORY, {"profile": "account"}))
    assert account_only == [s for s in EXPECTED if "your account" in s or "device" in s or "All profiles" in s]


def test_a_filtered_page_keeps_its_filter_in_the_page_and_download_links__R_HIST_1(client, lived_in):
    sam = profile_named(lived_in, "Sam")
    html = client.get(HISTORY).content.decode()
    assert 'href="?page=2" rel="next"' in html
    assert "Page 1 of 2" in html
    assert 'href="?format=csv"' in html
    filtered = client.get(HISTORY, {"profile": "account"}).content.decode()
    assert 'href="?profile=account&amp;format=json"' in filtered
    assert f'<option value="{sam.pk}">Sam</option>' in filtered
    assert '<option value="account" selected>The account itself and its devices</option>' in filtered


def test_csv_and_json_downloads_carry_the_pages_rows_under_stable_columns__R_HIST_1(client, lived_in):
    as_json = json_rows(client.get(HISTORY, {"format": "json"}))
    as_csv = csv_rows(client.get(HISTORY, {"format": "csv"}))
    assert [row["description"] for row in as_json] == EXPECTED
    assert [row["description"] for row in as_csv] == EXPECTED
    assert list(as_csv[0]) == list(history.CSV_COLUMNS)
    assert all(list(row) == list(history.CSV_COLUMNS) for row in as_json)
    assert as_json[26] == {
        "time": "2026-12-01T14:02:00+00:00",
        "profile": "Sam",
        "choice": "Behavioral Advertising",
        "old_value": True,
        "new_value": False,
        "changed_by": "the Global Privacy Control signal from your browser",
        "jurisdiction": "US-CA",
        "description": EXPECTED[26],
    }
    assert as_csv[26] == {
        "time": "2026-12-01T14:02:00+00:00",
        "profile": "Sam",
        "choice": "Behavioral Advertising",
        "old_value": "on",
        "new_value": "off",
        "changed_by": "the Global Privacy Control signal from your browser",
        "jurisdiction": "US-CA",
        "description": EXPECTED[26],
    }
    first_set = as_json[-1]
    assert (first_set["old_value"], first_set["new_value"], first_set["changed_by"]) == (None, True, "the system")
    assert as_csv[-1]["old_value"] == ""
    assert as_json[18]["profile"] is None
    assert as_csv[18]["profile"] == ""
    for each_csv, each_json in zip(as_csv, as_json, strict=True):
        for column in ("old_value", "new_value"):
            value = each_json[column]
            assert each_csv[column] == ("" if value is None else "on" if value else "off")
        assert {k: v for k, v in each_csv.items() if k not in {"old_value", "new_value"}} == {
            k: "" if v is None else v for k, v in each_json.items() if k not in {"old_value", "new_value"}
        }


ES = {"HTTP_ACCEPT_LANGUAGE": "es"}


def label(message: str) -> str:
    """A choice's label as the Spanish history names it (the registry's label, translated where it is read)."""
    return words("es", message)


GPC_ES = "por la señal del Control Global de Privacidad (GPC) de tu navegador"


def test_the_page_reads_in_spanish_sentence_by_sentence__R_HIST_1_R_I18N_1(client, lived_in):
    first = client.get(HISTORY, **ES)
    html = first.content.decode()
    assert '<html lang="es"' in html
    assert "<h1>Historial de privacidad</h1>" in html
    assert '<h2 id="changes-heading">34 cambios</h2>' in html
    assert "Se muestran del 1 al 25. La hora se muestra en UTC." in html
    assert '<label for="id_profile">Mostrar cambios de</label>' in html
    assert '<option value="" selected>Todos los perfiles y la cuenta</option>' in html
    assert '<option value="account">La propia cuenta y sus dispositivos</option>' in html
    assert '<button type="submit" class="button button-secondary">Mostrar</button>' in html
    assert ">Descargar como CSV</a>" in html
    assert ">Descargar como JSON</a>" in html
    assert "Página 1 de 2" in html
    assert 'rel="next">Cambios anteriores</a>' in html
    assert '<h2 id="about-heading">Cómo ocurren los cambios</h2>' in html
    assert "<dt>El equipo de asistencia</dt>" in html
    mic, ba = label("Matched Identifier Communications"), label("Behavioral Advertising")
    page_1 = sentences(first)
    assert page_1[0] == (
        f"La opción “{mic}” se mantuvo activada para Sam a pesar de la señal del Control Global de Privacidad (GPC)"
        " — por ti, en California, el 12 de diciembre de 2026, 18:30"
    )
    assert page_1[2] == (
        f"La opción “{ba}” empezó desactivada para Jo — por “Desactivar todo en todos los perfiles”, que estaba"
        " vigente, en California, el 11 de diciembre de 2026, 13:00"
    )
    assert page_1[4] == (
        "Se desactivó todo en todos los perfiles, incluidos los que se agreguen más adelante"
        " — por ti, con “Desactivar todo en todos los perfiles”, en California, el 10 de diciembre de 2026, 11:11"
    )
    assert page_1[8] == (
        f"Se activó la opción “{label('Notifications (device setting)')}” para tu dispositivo iOS agregado el"
        " 9 de diciembre de 2026 — por la app móvil, en California, el 9 de diciembre de 2026, 21:40"
    )
    assert page_1[10] == (
        f"La opción “{ba}” dejó de aplicarse a Alex porque el plan cambió a uno sin anuncios"
        " — por el sistema, en California, el 8 de diciembre de 2026, 09:05"
    )
    assert page_1[11] == (
        f"La opción “{label('Surveys (email)')}” dejó de aplicarse a Robin porque pasó a ser un perfil infantil"
        " — por el equipo de asistencia, en California, el 7 de diciembre de 2026, 16:20"
    )
    assert page_1[18] == (
        f"Se desactivó la opción “{label('Surveys (text)')}” para tu cuenta — por un mensaje de texto STOP,"
        " en California, el 5 de diciembre de 2026, 07:00"
    )
    assert page_1[21] == (
        f"Se desactivó la opción “{label('Offers and news (email)')}” para Sam — por un enlace para cancelar la"
        " suscripción en un correo electrónico, en California, el 4 de diciembre de 2026, 19:45"
    )
    second = client.get(HISTORY, {"page": 2}, **ES)
    assert 'rel="prev">Cambios más recientes</a>' in second.content.decode()
    page_2 = sentences(second)
    assert page_2[0] == (
        "Se recibió la señal del Control Global de Privacidad (GPC) para Sam — desde tu navegador, en California,"
        " el 1 de diciembre de 2026, 14:02"
    )
    assert (
        page_2[1]
        == f"Se desactivó la opción “{ba}” para Sam — {GPC_ES}, en California, el 1 de diciembre de 2026, 14:02"
    )
    assert page_2[-1] == (
        f"La opción “{mic}” empezó activada para Alex — por el sistema, en California, el 1 de diciembre de 2026, 09:00"
    )
    assert len(page_1 + page_2) == len(EXPECTED)


def test_a_part_of_the_history_without_changes_says_so_in_spanish__R_HIST_1_R_I18N_1(client):
    client.force_login(AccountFactory(primary_profile_name="Alex"))
    assert "Todavía no hay cambios aquí." in client.get(HISTORY, {"profile": "account"}, **ES).content.decode()


def test_downloads_are_in_the_requests_language_under_the_same_columns__R_HIST_1_R_I18N_1(client, lived_in):
    """The words a member reads are Spanish; what a program reads (column names, JSON keys, times, codes,
    true/false and on/off) is the same in every language (docs/privacy-history.md)."""
    as_json = json_rows(client.get(HISTORY, {"format": "json"}, **ES))
    as_csv = csv_rows(client.get(HISTORY, {"format": "csv"}, **ES))
    page = sentences(client.get(HISTORY, **ES)) + sentences(client.get(HISTORY, {"page": 2}, **ES))
    assert [row["description"] for row in as_json] == page
    assert [row["description"] for row in as_csv] == page
    assert list(as_csv[0]) == list(history.CSV_COLUMNS)
    assert all(list(row) == list(history.CSV_COLUMNS) for row in as_json)
    ba = label("Behavioral Advertising")
    expected = {
        "time": "2026-12-01T14:02:00+00:00",
        "profile": "Sam",
        "choice": ba,
        "old_value": True,
        "new_value": False,
        "changed_by": "la señal del Control Global de Privacidad (GPC) de tu navegador",
        "jurisdiction": "US-CA",
        "description": (
            f"Se desactivó la opción “{ba}” para Sam — {GPC_ES}, en California, el 1 de diciembre de 2026, 14:02"
        ),
    }
    assert as_json[26] == expected
    assert as_csv[26] == {**expected, "old_value": "on", "new_value": "off"}
    assert {row["changed_by"] for row in as_json} == {
        "tú",
        "tú, con “Desactivar todo en todos los perfiles”",
        "“Desactivar todo en todos los perfiles”, que estaba vigente",
        "la app móvil",
        "el sistema",
        "el equipo de asistencia",
        "un mensaje de texto STOP",
        "un enlace para cancelar la suscripción en un correo electrónico",
        "la señal del Control Global de Privacidad (GPC) de tu navegador",
    }


def test_downloads_follow_the_filter_and_name_their_file__R_HIST_1(client, lived_in):
    sam = profile_named(lived_in, "Sam")
    response = client.get(HISTORY, {"profile": str(sam.pk), "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="privacy-history-2026-12-15.csv"'
    assert [row["description"] for row in csv_rows(response)] == [s for s in EXPECTED if " for Sam " in s]
    as_json = client.get(HISTORY, {"profile": "account", "format": "json"})
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    assert as_json["Content-Disposition"] == 'attachment; filename="privacy-history-2026-12-15.json"'
    assert {row["profile"] for row in json_rows(as_json)} == {None}


def test_staff_are_support_staff_and_nothing_internal_is_shown__R_HIST_1(client, lived_in, staff_member):
    device = lived_in.devices.get()
    contents = [
        client.get(HISTORY).content.decode(),
        client.get(HISTORY, {"page": 2}).content.decode(),
        streamed(client.get(HISTORY, {"format": "csv"})),
        streamed(client.get(HISTORY, {"format": "json"})),
    ]
    for content in contents:
        assert "support staff" in " ".join(contents)
        assert staff_member.email not in content
        assert "dana" not in content.lower()
        assert f"Account #{staff_member.pk}" not in content
        assert device.pk.hex not in content
        assert str(device.pk) not in content
        assert "+1415" not in content
    for download in contents[2:]:
        for profile in lived_in.profiles.all():
            assert str(profile.pk) not in download, "no internal id in a download"


# Another account's profile name; a space, so it cannot turn up by chance inside a random CSRF token.
STRANGER = "Zed Stranger"


def test_another_accounts_events_are_never_shown__R_HIST_1(client, lived_in):
    other = AccountFactory(email="other@example.com", primary_profile_name=STRANGER)
    services.profile_opt_out_of_all(profile=profile_named(other, STRANGER), actor=services.Actor(Source.MEMBER, other))
    everything = [
        client.get(HISTORY).content.decode(),
        client.get(HISTORY, {"page": 2}).content.decode(),
        streamed(client.get(HISTORY, {"format": "csv"})),
        streamed(client.get(HISTORY, {"format": "json"})),
    ]
    assert not any(STRANGER in content for content in everything)
    assert len(json_rows(client.get(HISTORY, {"format": "json"}))) == len(EXPECTED)


@pytest.mark.parametrize("fmt", ["", "csv", "json"])
def test_a_forged_profile_of_another_account_is_404_like_one_that_does_not_exist__R_HIST_1(client, lived_in, fmt):
    other = AccountFactory(email="other@example.com", primary_profile_name=STRANGER)
    for forged in (str(profile_named(other, STRANGER).pk), "6d7f1f40-1d2c-4c2f-9f5e-000000000000", "Sam", "1"):
        response = client.get(HISTORY, {"profile": forged, "format": fmt})
        assert response.status_code == HTTPStatus.NOT_FOUND, forged
        assert STRANGER not in response.content.decode()


def test_an_unknown_format_is_404_and_a_bad_page_number_shows_a_page__R_HIST_1(client, lived_in):
    assert client.get(HISTORY, {"format": "xml"}).status_code == HTTPStatus.NOT_FOUND
    assert sentences(client.get(HISTORY, {"page": "abc"})) == EXPECTED[: history.PAGE_SIZE]
    assert sentences(client.get(HISTORY, {"page": "99"})) == EXPECTED[history.PAGE_SIZE :]


def test_history_needs_signing_in_and_is_linked_from_the_account_page__R_HIST_1(client, ads_account):
    response = client.get(HISTORY)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))
    assert client.get(HISTORY, {"format": "csv"}).status_code == HTTPStatus.FOUND
    client.force_login(ads_account)
    account_page = client.get(reverse("account")).content.decode()
    assert f'<a href="{HISTORY}">Privacy history: every change of your choices</a>' in account_page
    assert client.post(HISTORY).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_a_part_of_the_history_without_changes_says_so_and_downloads_empty__R_HIST_1(client):
    account = AccountFactory(primary_profile_name="Alex")  # its profile's starting values, none of its own
    client.force_login(account)
    assert "No changes here yet." in client.get(HISTORY, {"profile": "account"}).content.decode()
    assert json_rows(client.get(HISTORY, {"profile": "account", "format": "json"})) == []
    assert list(
        csv.reader(io.StringIO(streamed(client.get(HISTORY, {"profile": "account", "format": "csv"}))[1:]))
    ) == [list(history.CSV_COLUMNS)]


def test_a_profile_name_a_spreadsheet_would_run_is_written_as_text__R_HIST_1(client):
    account = AccountFactory(primary_profile_name="=HYPERLINK(1)")
    client.force_login(account)
    [first, *_] = csv_rows(client.get(HISTORY, {"format": "csv"}))
    assert first["profile"] == "'=HYPERLINK(1)"


@pytest.mark.time_machine(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), tick=False)
def test_times_are_in_the_sites_time_zone_through_djangos_date_formatting__R_HIST_1(client, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    account = AccountFactory(primary_profile_name="Alex")
    client.force_login(account)
    [*_, first_set] = sentences(client.get(HISTORY))
    assert first_set.endswith("in California, 1 Dec 2026 15:30")
    assert json_rows(client.get(HISTORY, {"format": "json"}))[-1]["time"] == "2026-12-01T15:30:00-08:00"


@pytest.mark.parametrize(
    ("code", "words"),
    [("US-CA", "in California"), ("US", "in the United States"), ("FR", "in France"), ("CA-QC", "in Quebec")],
)
def test_jurisdictions_read_as_place_names_and_an_unknown_one_is_left_out__R_HIST_1(client, code, words):
    account = AccountFactory(primary_profile_name="Alex", region=code)
    client.force_login(account)
    assert sentences(client.get(HISTORY))[0].endswith(f"— by the system, {words}, " + history.when(account.date_joined))
    nowhere = AccountFactory(primary_profile_name="Lou", region="")
    client.force_login(nowhere)
    assert sentences(client.get(HISTORY))[0] == (
        "Behavioral Advertising first set to on for Lou — by the system, " + history.when(nowhere.date_joined)
    )


def test_phone_deletion_email_change_cookies_and_the_end_of_opt_all_read_plainly__R_HIST_1(client, staff_member):
    account = AccountFactory(primary_profile_name="Alex", phone="+14155550123")
    alex = profile_named(account, "Alex")
    member = services.Actor(source=Source.MEMBER, acting_user=account)
    services.choices_set(account=account, values={Choice.COOKIES_ADVERTISING: False}, actor=member)
    services.account_opt_all_profiles_out(account=account, from_profile=alex, actor=member)
    services.profile_set_choices(profile=alex, values={Choice.MIC: True}, actor=member)
    account_services.phone_delete(account=account, acting_user=account)
    account_services.account_change_email(account=account, email="new.address@example.com", acting_user=staff_member)
    client.force_login(Account.objects.get(pk=account.pk))
    whats = [sentence.split(" — ")[0] for sentence in sentences(client.get(HISTORY))[:6]]
    assert whats == [
        "Your sign-in email address was changed",
        "Your phone number was deleted",
        "Profiles added later no longer start opted out",
        "Matched Identifier Communications turned on for Alex",
        "All profiles opted out of all, including profiles added later",
        "Behavioral Advertising turned off for Alex",
    ]
    assert "Advertising cookies turned off for your account" in [
        sentence.split(" — ")[0] for sentence in sentences(client.get(HISTORY))
    ]


# The words, without a request ------------------------------------------------------------------------------------

SAM = UUID("00000000-0000-4000-8000-000000000001")
SUBJECTS = history.Subjects(profiles={SAM: "Sam"}, devices={})


def an_event(**fields) -> dict:
    return {
        "created_at": datetime(2026, 12, 1, 14, 2, tzinfo=UTC),
        "profile_id": SAM,
        "choice": Choice.BA,
        "old_value": True,
        "new_value": False,
        "source": Source.GPC,
        "jurisdiction": "US-CA",
        "context": {},
        **fields,
    }


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        (
            {},
            "Behavioral Advertising turned off for Sam — by the Global Privacy Control signal from your browser,"
            " in California, 1 Dec 2026 14:02",
        ),
        (
            {
                "source": Source.ADMIN,
                "context": {"effective_only": True, "cause": "is_kids"},
                "new_value": True,
                "old_value": False,
            },
            "Behavioral Advertising started applying to Sam because it is no longer a kids profile — by support staff,"
            " in California, 1 Dec 2026 14:02",
        ),
        (
            {
                "source": Source.SYSTEM,
                "context": {"effective_only": True, "cause": "plan"},
                "new_value": True,
                "old_value": False,
                "jurisdiction": "US",
            },
            "Behavioral Advertising started applying to Sam because the plan changed to one with ads — by the system,"
            " in the United States, 1 Dec 2026 14:02",
        ),
        (
            {"choice": "ba_signal_consent", "source": Source.MEMBER, "context": {"effective_only": True, "cause": "x"}},
            "Behavioral Advertising (kept on despite the signal) stopped applying to Sam — by you,"
            " in California, 1 Dec 2026 14:02",
        ),
        (
            {"choice": "mic_signal_consent", "source": Source.MEMBER, "old_value": True, "new_value": False},
            "Matched Identifier Communications no longer kept on for Sam despite the Global Privacy Control signal"
            " — by you, in California, 1 Dec 2026 14:02",
        ),
        (
            {"profile_id": UUID(int=7), "source": "retired_source", "jurisdiction": "JP", "choice": "retired_choice"},
            "retired_choice turned off for a profile no longer on your account — by the system, in JP,"
            " 1 Dec 2026 14:02",
        ),
        (
            {
                "profile_id": None,
                "choice": Choice.DEVICE_NOTIFICATIONS,
                "source": Source.APP,
                "context": {"device": "device-0123"},
                "jurisdiction": "",
            },
            "Notifications (device setting) turned off for a device no longer on your account — by the mobile app,"
            " 1 Dec 2026 14:02",
        ),
        (
            {
                "profile_id": None,
                "choice": Choice.PHONE_CHANGED,
                "old_value": False,
                "new_value": True,
                "source": "admin",
            },
            "Your phone number was changed — by support staff, in California, 1 Dec 2026 14:02",
        ),
    ],
)
def test_each_kind_of_event_reads_as_one_plain_sentence__R_HIST_1(fields, sentence):
    with translation.override("en"):
        assert history.row(an_event(**fields), SUBJECTS).sentence == sentence


@pytest.mark.parametrize(
    ("language", "jurisdiction", "sentence"),
    [
        (
            "en",
            "US-CA",
            "Global Privacy Control signal received for Sam — from your browser, in California, 1 Dec 2026 14:02",
        ),
        ("en", "", "Global Privacy Control signal received for Sam — from your browser, 1 Dec 2026 14:02"),
        (
            "es",
            "US-CA",
            "Se recibió la señal del Control Global de Privacidad (GPC) para Sam — desde tu navegador, en California,"
            " el 1 de diciembre de 2026, 14:02",
        ),
        (
            "es",
            "",
            "Se recibió la señal del Control Global de Privacidad (GPC) para Sam — desde tu navegador,"
            " el 1 de diciembre de 2026, 14:02",
        ),
    ],
)
def test_the_signals_arrival_names_the_signal_once__R_HIST_1_R_I18N_1(language, jurisdiction, sentence):
    """R-HIST-1: "signal received" already says what came; its how says from where, where and when, without "by
    the Global Privacy Control signal" a second time; in Spanish too (R-I18N-1)."""
    received = an_event(choice=Choice.SIGNAL_RECEIVED, old_value=None, new_value=True, jurisdiction=jurisdiction)
    with translation.override(language):
        assert history.row(received, SUBJECTS).sentence == sentence


DEVICE_REF = "device-0123"
SUBJECT_KINDS: list[dict[str, Any]] = [
    {"profile_id": SAM},
    {"profile_id": UUID(int=7)},
    {"profile_id": None},
    {"profile_id": None, "context": {"device": DEVICE_REF}},
    {"profile_id": None, "context": {"device": "device-gone"}},
    {"profile_id": None, "context": {"device": "device-gone", "platform": "android", "device_added": "2026-11-03"}},
]
WITH_DEVICE = history.Subjects(
    profiles={SAM: "Sam"},
    devices={DEVICE_REF: history.DeviceRef(platform="iOS", added=datetime(2026, 11, 3, 12, tzinfo=UTC))},
)
CAUSES = [{}, {"effective_only": True, "cause": "is_kids"}, {"effective_only": True, "cause": "plan"}]
CAUSES += [{"effective_only": True, "cause": "other"}]
# English words of the sentences' own text (not of the names they carry): none may be left in a Spanish one.
ENGLISH = re.compile(
    r"\b(turned|first|set|on|off|started|stopped|applying|kept|despite|for|by|was|received|your|you|support|staff"
    r"|system|mobile|unsubscribe|link|text|message|which|in|with|profile|profiles|device|account|added|ads|kids"
    r"|Opt|out|all|Dec|longer|became|changed|deleted|because|later|signal|browser|Global Privacy Control)\b"
)


def every_event(key: str) -> Iterator[dict]:
    """The choice with every value, effect, source, place and kind of subject."""
    combinations = (
        (values, cause, source, place)
        for values in [(None, True), (None, False), (True, False), (False, True)]
        for cause in CAUSES
        for source in [*Source, "retired_source"]
        for place in ["US-CA", "US", "GB", ""]
    )
    for n, ((old, new), cause, source, place) in enumerate(combinations):
        subject = SUBJECT_KINDS[n % len(SUBJECT_KINDS)]
        yield an_event(
            choice=key,
            old_value=old,
            new_value=new,
            source=source,
            jurisdiction=place,
            profile_id=subject["profile_id"],
            context={**cause, **subject.get("context", {})},
        )


@pytest.mark.parametrize("key", [spec.key for spec in REGISTRY] + ["retired_choice"])
def test_every_source_choice_and_value_reads_as_a_spanish_sentence__R_HIST_1_R_I18N_1(key):
    """Table-driven: each event the history can meet for this choice, rendered in Spanish, is Spanish throughout
    but for the names it carries (the choice's label, the profile, the platform); an untranslated sentence fails."""
    companion = next((spec.signal_consent_for for spec in REGISTRY if spec.key == key), None)
    for each in every_event(key):
        with translation.override("es"):
            row = history.row(each, WITH_DEVICE)
            names = [history.choice_words(key)]
            if companion:
                names.append(history.choice_words(companion))
        with translation.override("en"):
            english = history.row(each, WITH_DEVICE)
        assert row.sentence != english.sentence
        assert row.changed_by != english.changed_by
        left = row.sentence
        for name in sorted(names, key=len, reverse=True):
            left = left.replace(name, "«»")
        left = left.replace("Sam", "«»").replace("iOS", "«»").replace("Android", "«»")
        assert not ENGLISH.search(left), f"{each}: {row.sentence}"
        arrival = each["new_value"] and not each["context"].get("effective_only")
        if key == Choice.SIGNAL_RECEIVED and each["source"] == Source.GPC and arrival:
            assert " — desde tu navegador, " in row.sentence, row.sentence
        else:
            assert " — por " in row.sentence, row.sentence
        assert row.sentence.endswith("el 1 de diciembre de 2026, 14:02"), row.sentence


# Streaming and query counts -------------------------------------------------------------------------------------


def many_events(account: Account, count: int) -> None:
    """`count` more events on the account, alternating MIC off and on for its primary profile, built by the
    services' own event constructor (validated as any event) and inserted in bulk so that thousands stay quick."""
    profile = account.profiles.get(is_primary=True)
    actor = services.Actor(source=Source.MEMBER, acting_user=account, jurisdiction="US-CA")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ConsentEvent.objects.bulk_create(
        [
            event(
                account=account,
                profile=profile,
                change=policy.Change(Choice.MIC, old=i % 2 == 0, new=i % 2 == 1),
                actor=actor,
                at=start + timedelta(minutes=i),
            )
            for i in range(count)
        ],
        batch_size=500,
    )


def member_with(profiles: int, events: int, client) -> Account:
    account = cast(Account, AccountFactory(primary_profile_name="Alex"))
    for _ in range(profiles - 1):
        ProfileFactory(account=account)
    many_events(account, events - ConsentEvent.objects.filter(account=account).count())
    watching(client, account, "Alex")
    return account


def get_counted(client, count_queries, **params):
    with count_queries() as queries:
        response = client.get(HISTORY, params)
        body = streamed(response) if params.get("format") else response.content.decode()
    assert response.status_code == HTTPStatus.OK
    return queries, body


# Cold (nothing cached, as in tests/test_query_counts.py): account (with phone), profiles, the page's events with
# their count (one query), and on the page the jurisdictions for the cookie banner's words (R-CK-2: asked or
# told, by region) until the browser has chosen. Warm: the account, its profiles and the jurisdictions come from
# the shared cache. A download reads no count but the account's devices, and has no banner.
COLD = {"page": 4, "csv": 4, "json": 4}
WARM = {"page": 1, "csv": 2, "json": 2}


@pytest.mark.parametrize("profiles", [1, 5])
@pytest.mark.parametrize("events", [10, 1000])
@pytest.mark.parametrize("kind", ["page", "csv", "json"])
def test_history_makes_a_pinned_number_of_queries_whatever_the_profiles_and_events__R_HIST_1(
    client, count_queries, profiles, events, kind
):
    member_with(profiles, events, client)
    params = {} if kind == "page" else {"format": kind}
    queries, body = get_counted(client, count_queries, **params)
    assert len(queries) == COLD[kind], f"expected {COLD[kind]}, got:\n{queries}"
    if kind == "page":
        assert len(sentences_of(body)) == min(events, history.PAGE_SIZE)


def sentences_of(html: str) -> list[str]:
    parser = _Sentences()
    parser.feed(html)
    return parser.sentences


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rules")
@pytest.mark.parametrize("profiles", [1, 5])
@pytest.mark.parametrize("events", [10, 1000])
@pytest.mark.parametrize("kind", ["page", "csv"])
def test_history_reads_the_shared_cache_once_it_is_filled__R_HIST_1(client, count_queries, profiles, events, kind):
    member_with(profiles, events, client)
    params = {} if kind == "page" else {"format": kind}
    cold, _ = get_counted(client, count_queries, **params)
    warm, _ = get_counted(client, count_queries, **params)
    assert len(cold) == COLD[kind], f"the first request fills the cache:\n{cold}"
    assert len(warm) == WARM[kind], f"expected {WARM[kind]}, got:\n{warm}"


def test_a_page_with_a_device_event_reads_the_devices_once(client, count_queries):
    account = member_with(1, 10, client)
    register_device(account, limited=False, notifications=True)
    queries, body = get_counted(client, count_queries)
    assert len(queries) == COLD["page"] + 1, f"and the account's devices:\n{queries}"
    assert "your iOS device added" in body


def download_measured(client, count_queries, kind: str) -> tuple[int, int, int, int]:
    """(queries, bytes, largest chunk, peak memory while streaming) of one download."""
    with count_queries() as queries:
        response = client.get(HISTORY, {"format": kind})
        size = largest = 0
        tracemalloc.start()
        for chunk in chunks(response):
            size += len(chunk)
            largest = max(largest, len(chunk))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return len(queries), size, largest, peak


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_a_download_of_5000_events_streams_with_the_queries_and_memory_of_1000__R_HIST_1(client, count_queries, kind):
    account = member_with(1, 1000, client)
    queries, size, _largest, peak = download_measured(client, count_queries, kind)
    many_events(account, 4000)
    queries_5000, size_5000, largest_5000, peak_5000 = download_measured(client, count_queries, kind)

    assert queries_5000 == queries == COLD[kind], "the events are one query, read in chunks"
    assert size_5000 > 4 * size
    assert largest_5000 < size_5000 / 10, "sent in chunks, not at once"
    # Holding the rows would take five times the memory for five times the events; streaming holds one chunk of
    # events and one of output either way (measured: about 1.2 times, from 0.9 MB).
    assert peak_5000 < 2 * peak, f"{peak_5000} bytes at the peak for 5,000 events, {peak} for 1,000"


# Bad input ------------------------------------------------------------------------------------------------------

query_text = st.one_of(st.text(max_size=40), st.sampled_from(["", "1", "2", "-1", "0", "account", "csv", "json"]))


@pytest.fixture
def their_profile_id(db) -> str:
    return str(Profile.objects.get(account=cast(Account, AccountFactory(email="theirs@example.com"))).pk)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    page=st.one_of(st.none(), query_text, st.integers(min_value=-(10**20), max_value=10**20).map(str)),
    profile=st.one_of(st.none(), query_text, st.sampled_from(["mine", "theirs"])),
    kind=st.one_of(st.none(), query_text, st.sampled_from(["csv", "json", "CSV"])),
)
def test_any_query_parameters_get_a_page_a_download_or_404_never_a_server_error__R_HIST_1(
    client, ads_account, their_profile_id, page, profile, kind
):
    client.force_login(ads_account)
    mine = str(profile_named(ads_account, "Sam").pk)
    params = {"page": page, "profile": {"mine": mine, "theirs": their_profile_id}.get(profile, profile), "format": kind}
    response = client.get(HISTORY, {key: value for key, value in params.items() if value is not None})
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.NOT_FOUND}, params
    if params["profile"] == their_profile_id:
        assert response.status_code == HTTPStatus.NOT_FOUND
    if response.status_code == HTTPStatus.OK and isinstance(response, StreamingHttpResponse):
        assert b"".join(chunks(response))
