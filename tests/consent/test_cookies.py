"""The cookie choice tool, the banner and their enforcement (docs/rules.md, Cookies): one signed consent cookie per
browser, opt-in or opt-out by region, no cookie of a category the browser has not allowed, whichever view set it."""

from datetime import date
from http import HTTPStatus

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent import cookies, policy
from consent.choices import Choice, Source
from consent.models import ChoiceValue, ConsentEvent, Cookie
from tests.helpers import GPC, events_since, last_event_id, switches

pytestmark = pytest.mark.django_db

BANNER = 'aria-labelledby="cookie-banner-title"'
REGION_HEADER = "X-Privacy-Region"
OPT_OUT_REGION = "US-TX"


@pytest.fixture
def client(settings):
    """A visitor in an opt-out region (Texas, named by the trusted proxy's header) unless a test names another
    region: where the region is unknown the cookie rules fail safe to opt-in (R-CK-2)."""
    settings.PRIVACY_REGION_HEADER = REGION_HEADER
    return Client(headers={REGION_HEADER: OPT_OUT_REGION})


@pytest.fixture
def unknown_region_client(settings):
    """A visitor whose region nobody tells us: no region header configured."""
    settings.PRIVACY_REGION_HEADER = None
    return Client()


def choice_of(response) -> cookies.CookieChoice | None:
    morsel = response.cookies.get(cookies.CONSENT_COOKIE)
    return cookies.read_choice(morsel.value) if morsel else None


def test_the_tool_lists_every_registered_cookie_by_category__R_CK_1(client):
    html = client.get(reverse("cookies")).content.decode()
    for cookie in Cookie.objects.all():
        assert f"<code>{cookie.name}</code>" in html
        assert escape(cookie.purpose) in html
    assert "Strictly necessary cookies" in html
    assert "Advertising cookies" in html
    assert "Performance and functionality cookies" in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rules")
def test_a_cookie_staff_add_in_the_admin_is_shown_and_enforced_on_the_next_request__R_CK_1_R_CK_3(
    client, staff, settings
):
    """The cookie registry is kept in the shared cache with the rules (transactional_db: the cache is really
    used and the admin's commit really replaces its version), yet the next response judges by the new entry."""
    settings.ROOT_URLCONF = "tests.urls"
    client.post(reverse("cookies"), {"action": "advertising_off"})  # performance allowed, advertising not
    assert "not_in_the_registry" not in client.get("/test-sets-cookies/").cookies, "unregistered: advertising"
    support = Client()
    support.force_login(staff)
    response = support.post(
        reverse("admin:consent_cookie_add"),
        {
            "name": "not_in_the_registry",
            "category": "performance",
            "purpose": "Measures speed.",
            "lifetime": "30 days",
            "purpose_es": "Mide la velocidad.",
            "lifetime_es": "30 días",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert client.get("/test-sets-cookies/").cookies["not_in_the_registry"].value == "x"
    assert "<code>not_in_the_registry</code>" in client.get(reverse("cookies")).content.decode()


@pytest.mark.parametrize(
    ("choice", "opt_in", "signal", "allowed"),
    [
        (None, False, False, {"necessary", "performance", "advertising"}),
        (None, True, False, {"necessary"}),
        (None, False, True, {"necessary", "performance"}),
        ({"performance": True, "advertising": True}, True, False, {"necessary", "performance", "advertising"}),
        ({"performance": False, "advertising": True}, False, True, {"necessary"}),
    ],
)
def test_allowed_categories_from_choice_region_and_signal__R_CK_2_R_GPC_4(choice, opt_in, signal, allowed):
    result = policy.cookie_categories_allowed(choice=choice, opt_in_required=opt_in, signal_honoured=signal)
    assert result == allowed


def test_a_visitor_outside_opt_in_regions_starts_with_non_essential_cookies_on__R_CK_2(client):
    response = client.get(reverse("home"))
    assert "ad_id" in response.cookies
    assert 'class="house-ad"' in response.content.decode()
    assert BANNER in response.content.decode(), "the banner shows until the browser chooses"


def test_a_visitor_of_unknown_region_gets_no_advertising_cookie_before_permission__R_CK_2(unknown_region_client):
    """R-CK-2: no region header configured: the jurisdiction is unknown and fails safe, as opt-in."""
    response = unknown_region_client.get(reverse("home"))
    assert "ad_id" not in response.cookies
    assert 'class="house-ad"' not in response.content.decode()
    html = unknown_region_client.get(reverse("cookies")).content.decode()
    assert switches(html) == {"cookies_performance": False, "cookies_advertising": False}


@pytest.mark.parametrize("region", ["", "JP", "ZZ-99", "not a region"])
def test_an_unmapped_or_missing_region_fails_safe_to_opt_in__R_CK_2(client, region):
    """R-CK-2: a region the rules do not map (nor its country), or a header that is missing or garbage."""
    response = client.get(reverse("home"), HTTP_X_PRIVACY_REGION=region)
    assert "ad_id" not in response.cookies
    assert "With your permission" in response.content.decode()


@pytest.mark.parametrize(
    ("region", "opt_in"),
    [("", True), ("FR", True), ("FR-75", True), ("JP", True), ("US-TX", False), ("US-VA", False), ("US", False)],
)
def test_cookie_opt_in_by_region_fails_safe_when_unknown__R_CK_2(region, opt_in):
    rules = {
        "FR": policy.JurisdictionRule(cookie_opt_in_from=date(2011, 1, 1)),
        "US-TX": policy.JurisdictionRule(honours_signal_from=date(2025, 1, 1)),
    }
    assert policy.cookie_opt_in_required(jurisdiction=region, rules=rules, today=date(2026, 12, 1)) is opt_in


def test_the_banner_asks_in_opt_in_regions_and_tells_in_opt_out_regions__R_CK_2(client):
    """R-CK-2: the banner asks for permission only where permission is what it records."""
    asked = client.get(reverse("home"), HTTP_X_PRIVACY_REGION="FR").content.decode()
    assert "With your permission we also use performance and functionality cookies and advertising cookies" in asked
    told = client.get(reverse("privacy_statement")).content.decode()
    assert BANNER in told
    assert "permission" not in told.split(BANNER)[1].split("</section>")[0]
    assert "advertising cookies, which you can turn off" in told


@pytest.mark.parametrize("region", ["", "US-TX"])
def test_under_the_signal_the_banner_offers_accept_all_except_advertising__R_GPC_4(client, region):
    """R-GPC-4, R-CK-2: where the signal is honoured (an unknown region, which is also opt-in, and Texas) it keeps
    advertising off, so "Accept all" is not offered as such."""
    html = client.get(reverse("privacy_statement"), HTTP_X_PRIVACY_REGION=region, **GPC).content.decode()
    banner = html.split(BANNER)[1].split("</section>")[0]
    assert ">Accept all except advertising</button>" in banner
    assert ">Accept all</button>" not in banner
    assert "advertising cookies stay off" in banner
    assert "and advertising cookies" not in banner, "the words match the cookies: advertising is off"
    tool = client.get(reverse("cookies"), HTTP_X_PRIVACY_REGION=region, **GPC).content.decode()
    assert ">Accept all except advertising</button>" in tool
    assert ">Accept all</button>" not in tool


def test_accepting_under_the_signal_never_says_all_cookies_were_accepted__R_GPC_4(client):
    response = client.post(reverse("cookies"), {"action": "accept_all"}, **GPC)
    assert choice_of(response) == cookies.CookieChoice(categories={"performance": True, "advertising": False})
    html = client.get(response["Location"], **GPC).content.decode()
    assert "You accepted all cookies." not in html
    assert "You accepted all cookies except advertising cookies." in html


def test_a_member_who_sent_the_signal_before_signing_in_from_an_opt_in_region_finds_nothing_pre_ticked__R_CK_2(
    client, ads_account
):
    """R-CK-2, R-GPC-4: the record the signal made for the visitor says only "advertising off"; once signed in
    the account's region (France) decides the rest, and it is opt-in."""
    visitor = Client()  # no region header: the proxy does not say, the account will
    visitor.get(reverse("home"), **GPC)
    ads_account.region = "FR"
    ads_account.save(update_fields=["region"])
    visitor.force_login(ads_account)
    html = visitor.get(reverse("cookies"), **GPC).content.decode()
    assert switches(html) == {"cookies_performance": False, "cookies_advertising": False}


@pytest.mark.parametrize("region", ["FR", "GB", "CH", "DE"])
def test_a_visitor_in_an_opt_in_region_starts_with_non_essential_cookies_off__R_CK_2(client, settings, region):
    settings.PRIVACY_REGION_HEADER = "X-Privacy-Region"
    response = client.get(reverse("home"), HTTP_X_PRIVACY_REGION=region)
    assert "ad_id" not in response.cookies
    assert 'class="house-ad"' not in response.content.decode()
    html = client.get(reverse("cookies"), HTTP_X_PRIVACY_REGION=region).content.decode()
    assert switches(html) == {"cookies_performance": False, "cookies_advertising": False}


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("accept_all", {"performance": True, "advertising": True}),
        ("reject_non_essential", {"performance": False, "advertising": False}),
        ("advertising_off", {"performance": True, "advertising": False}),
    ],
)
def test_the_banner_buttons_record_a_signed_versioned_choice__R_CK_2_R_CK_4(client, action, expected):
    response = client.post(reverse("cookies"), {"action": action, "next": "/privacy/"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/privacy/"
    recorded = choice_of(response)
    assert recorded == cookies.CookieChoice(categories=expected, by_visitor=True)
    morsel = response.cookies[cookies.CONSENT_COOKIE]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert BANNER not in client.get(reverse("privacy_statement")).content.decode()


def test_saving_the_tool_form_records_each_switch__R_CK_2(client):
    response = client.post(reverse("cookies"), {"action": "save", "cookies_performance": "on"})
    assert choice_of(response) == cookies.CookieChoice(categories={"performance": True, "advertising": False})
    assert response["Location"] == reverse("cookies")


@pytest.mark.parametrize(
    "raw",
    [
        "garbage",
        "",
        "x" * 5000,
        signing.dumps({"v": 1, "c": True, "p": True, "a": True}, salt="another.salt"),
        signing.dumps({"v": 99, "c": True, "p": True, "a": True}, salt="consent.privacy_consent"),
        signing.dumps({"v": 1, "c": True, "p": "yes", "a": True}, salt="consent.privacy_consent"),
        signing.dumps(["not", "a", "dict"], salt="consent.privacy_consent"),
        cookies.encode_choice(cookies.CookieChoice(categories={"performance": True, "advertising": True}))[:-2] + "xx",
    ],
)
def test_a_tampered_oversized_stale_or_garbage_consent_cookie_is_no_choice__R_CK_2(client, raw):
    client.cookies[cookies.CONSENT_COOKIE] = raw
    for url in (reverse("home"), reverse("cookies"), reverse("do_not_sell")):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        assert BANNER in response.content.decode() or url == reverse("cookies")


def test_with_advertising_off_no_response_sets_ad_id_whichever_view_tried__R_CK_3(client, settings):
    settings.ROOT_URLCONF = "tests.urls"
    client.post(reverse("cookies"), {"action": "reject_non_essential"})
    response = client.get("/test-sets-cookies/")
    assert "ad_id" not in response.cookies
    assert "not_in_the_registry" not in response.cookies, "a cookie missing from the registry counts as advertising"
    assert response.cookies["csrftoken"].value == "kept", "strictly necessary cookies stay"
    assert "ad_id" not in client.get(reverse("home")).cookies


def test_with_advertising_allowed_the_view_sets_its_cookies__R_CK_3(client, settings):
    settings.ROOT_URLCONF = "tests.urls"
    client.post(reverse("cookies"), {"action": "accept_all"})
    response = client.get("/test-sets-cookies/")
    assert response.cookies["ad_id"].value == "set-by-another-view"


def test_opting_out_removes_an_advertising_cookie_the_browser_already_has__R_CK_3(client):
    client.get(reverse("home"))
    assert "ad_id" in client.cookies
    response = client.post(reverse("cookies"), {"action": "reject_non_essential"})
    assert response.cookies["ad_id"]["max-age"] == 0


def test_advertising_markup_and_script_only_where_allowed__R_CK_3(client):
    assert "ad-measurement" in client.get(reverse("home")).content.decode()
    client.post(reverse("cookies"), {"action": "reject_non_essential"})
    html = client.get(reverse("home")).content.decode()
    assert "ad-measurement" not in html
    assert 'class="house-ad"' not in html


def test_a_signal_turns_advertising_cookies_off_and_records_it_in_the_consent_cookie__R_GPC_4(client):
    client.post(reverse("cookies"), {"action": "accept_all"})
    client.get(reverse("home"))
    response = client.get(reverse("home"), **GPC)
    assert response.cookies["ad_id"]["max-age"] == 0
    assert choice_of(response) == cookies.CookieChoice(categories={"performance": True, "advertising": False})
    later = client.get(reverse("home"))  # no signal now: the recorded choice stands
    assert "ad_id" not in later.cookies or later.cookies["ad_id"]["max-age"] == 0
    assert 'class="house-ad"' not in later.content.decode()


def test_a_signal_without_a_prior_choice_still_shows_the_banner_for_the_rest__R_GPC_4(client):
    response = client.get(reverse("home"), **GPC)
    assert choice_of(response) == cookies.CookieChoice(
        categories={"performance": True, "advertising": False}, by_visitor=False
    )
    assert BANNER in client.get(reverse("privacy_statement")).content.decode()


def test_the_tool_shows_the_signal_and_keeps_advertising_off__R_GPC_6(client):
    html = client.get(reverse("cookies"), **GPC).content.decode()
    assert "Opt-out preference signal honored" in html
    response = client.post(reverse("cookies"), {"action": "accept_all"}, **GPC, follow=True)
    assert "advertising cookies are off on this browser" in response.content.decode()
    assert "ad_id" not in client.get(reverse("home"), **GPC).cookies


def test_a_members_choice_is_also_recorded_for_the_account_with_events__R_CK_5(client, ads_account):
    client.force_login(ads_account)
    mark = last_event_id()
    client.post(reverse("cookies"), {"action": "reject_non_essential"})
    assert events_since(mark) == [
        (None, Choice.COOKIES_PERFORMANCE, True, False, Source.MEMBER, ads_account.email),
        (None, Choice.COOKIES_ADVERTISING, True, False, Source.MEMBER, ads_account.email),
    ]
    assert [e.context for e in ConsentEvent.objects.filter(id__gt=mark)] == [{"cookie_choice_version": 1}] * 2
    assert client.post(reverse("cookies"), {"action": "reject_non_essential"}).status_code == HTTPStatus.FOUND
    assert len(events_since(mark)) == 2, "the same choice again writes nothing"


def test_a_members_accept_all_under_the_signal_records_advertising_off_for_the_account_too__R_CK_5_R_GPC_4(
    client, ads_account
):
    client.force_login(ads_account)
    mark = last_event_id()
    client.post(reverse("cookies"), {"action": "accept_all"}, **GPC)
    assert events_since(mark) == [
        (None, Choice.COOKIES_ADVERTISING, True, False, Source.MEMBER, ads_account.email),
    ]


def test_a_visitors_choice_stays_with_the_browser__R_CK_5(client, ads_account):
    mark = last_event_id()
    client.post(reverse("cookies"), {"action": "reject_non_essential"})
    assert events_since(mark) == []
    assert not ChoiceValue.objects.filter(choice__startswith="cookies_").exists()


@pytest.mark.parametrize(
    "data",
    [{"action": "nonsense"}, {"action": "save", "cookies_advertising": "banana"}, {"action": ["save", "x"]}],
)
def test_a_malformed_cookie_post_re_renders_the_tool_and_records_nothing(client, data):
    response = client.post(reverse("cookies"), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "<h1>Cookie preferences</h1>" in response.content.decode()
    assert cookies.CONSENT_COOKIE not in response.cookies


def test_pages_of_the_privacy_statement_and_do_not_sell__R_CK_1(client):
    statement = client.get(reverse("privacy_statement")).content.decode()
    assert 'id="cookies-and-internet-advertising"' in statement
    assert 'href="/cookies/"' in statement
    page = client.get(reverse("do_not_sell")).content.decode()
    assert "Do Not Sell or Share My Personal Information" in page
    assert 'value="advertising_off"' in page
    assert "Opt all profiles out of all" in page
    assert "Global Privacy Control (GPC) / Universal Opt-out" in page


# Whatever a browser sends, the tool answers with a redirect or the page, never a server error ---------------------

any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300)
cookie_fields = st.sampled_from(["action", "next", "cookies_performance", "cookies_advertising", "extra"])
cookie_values = st.one_of(
    st.sampled_from(["save", "accept_all", "reject_non_essential", "advertising_off", "on", "/", "//x", ""]),
    any_text,
)
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROPERTY
@given(form=st.dictionaries(cookie_fields, st.lists(cookie_values, min_size=1, max_size=3), max_size=5))
def test_cookie_tool_never_answers_a_server_error__R_CK_4(form):
    response = Client().post(reverse("cookies"), form)
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST}
    if response.status_code == HTTPStatus.FOUND:
        assert response["Location"].startswith("/")
        assert not response["Location"].startswith("//")


header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=100)


@PROPERTY
@given(
    consent_cookie=st.one_of(header_text, any_text.map(lambda t: t.encode("utf-8", "ignore").hex())), gpc=header_text
)
def test_any_consent_cookie_or_signal_header_is_answered_without_a_server_error__R_CK_2_R_GPC_1(consent_cookie, gpc):
    client = Client(HTTP_SEC_GPC=gpc)
    client.cookies["privacy_consent"] = consent_cookie
    for url in (reverse("home"), reverse("cookies")):
        assert client.get(url).status_code == HTTPStatus.OK


@PROPERTY
@given(region=header_text, gpc=st.sampled_from(["", "1", "0", "1, 0"]))
def test_the_banner_words_match_what_is_allowed_for_any_region_header__R_CK_2_R_GPC_4(settings, region, gpc):
    """R-CK-2, R-GPC-4: whatever the proxy says, the page answers, sets ad_id only where the banner does not ask
    first, and never offers "Accept all" while the signal keeps advertising off."""
    settings.PRIVACY_REGION_HEADER = REGION_HEADER
    response = Client(headers={REGION_HEADER: region, "Sec-GPC": gpc}).get(reverse("home"))
    assert response.status_code == HTTPStatus.OK
    banner = response.content.decode().split(BANNER)[1].split("</section>")[0]
    asks = "With your permission" in banner
    assert not (asks and "ad_id" in response.cookies), "nothing non-essential before permission"
    if ">Accept all</button>" in banner:
        assert "advertising cookies stay off" not in banner
    if "ad_id" not in response.cookies and not asks:
        assert "advertising cookies stay off" in banner


def test_after_the_signal_stops_an_opt_out_region_is_told_advertising_is_off__R_CK_2_R_GPC_4(client):
    """R-CK-2: the record the signal made keeps advertising off without a signal now; the banner says so rather
    than listing advertising cookies as in use."""
    client.get(reverse("home"), **GPC)
    response = client.get(reverse("home"))
    assert "ad_id" not in response.cookies
    banner = response.content.decode().split(BANNER)[1].split("</section>")[0]
    assert "Advertising cookies are off on this browser." in banner
    assert "and advertising cookies" not in banner
    assert ">Accept all</button>" in banner, "without the signal the visitor may allow them"


# In Spanish (R-I18N-1) -----------------------------------------------------------------------------------------

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def banner_of(html: str) -> str:
    return html.split(BANNER)[1].split("</section>")[0]


def test_the_tool_and_its_registry_in_spanish__R_I18N_1_R_CK_1(client):
    """Every registered cookie's purpose and lifetime as staff keep them in Spanish, under Spanish headings."""
    html = client.get(reverse("cookies"), **SPANISH).content.decode()
    assert '<html lang="es"' in html
    assert "<h1>Preferencias de cookies</h1>" in html
    assert "<h2>Cookies estrictamente necesarias</h2>" in html
    assert '<th scope="col">Finalidad</th><th scope="col">Duración</th>' in html
    assert "Tu elección se queda en este navegador." in html
    assert ">Guardar mis opciones</button>" in html
    assert ">Aceptar todas</button>" in html
    assert ">Rechazar las no esenciales</button>" in html
    shipped = list(Cookie.objects.all())
    assert {cookie.name for cookie in shipped} >= {"sessionid", "csrftoken", "privacy_consent", "ad_id"}
    for cookie in shipped:
        assert f'<td data-label="Finalidad">{escape(cookie.purpose_es)}</td>' in html
        assert f'<td data-label="Duración">{escape(cookie.lifetime_es)}</td>' in html
        assert escape(cookie.purpose) not in html
    english = client.get(reverse("cookies"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert all(escape(cookie.purpose) in english for cookie in shipped)


def test_every_shipped_cookie_has_its_purpose_and_lifetime_in_spanish__R_I18N_1_R_CK_1():
    """The registry the migrations ship is complete in both languages."""
    missing = list(Cookie.objects.filter(purpose_es="").values_list("name", flat=True))
    missing += list(Cookie.objects.filter(lifetime_es="").values_list("name", flat=True))
    assert Cookie.objects.exists()
    assert missing == []


def test_staff_cannot_add_a_cookie_without_its_spanish_text__R_I18N_1_R_CK_1(staff):
    support = Client()
    support.force_login(staff)
    response = support.post(
        reverse("admin:consent_cookie_add"),
        {"name": "speed", "category": "performance", "purpose": "Measures speed.", "lifetime": "30 days"},
    )
    assert response.status_code == HTTPStatus.OK, "the form is shown again with its errors"
    assert not Cookie.objects.filter(name="speed").exists()


def test_spanish_text_staff_change_in_the_admin_is_shown_on_the_next_request__R_I18N_1_R_CK_1(client, staff):
    support = Client()
    support.force_login(staff)
    cookie = Cookie.objects.get(name="ad_id")
    response = support.post(
        reverse("admin:consent_cookie_change", args=[cookie.pk]),
        {
            "name": cookie.name,
            "category": cookie.category,
            "purpose": cookie.purpose,
            "lifetime": cookie.lifetime,
            "purpose_es": "Mide nuestros anuncios.",
            "lifetime_es": "13 meses",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    html = client.get(reverse("cookies"), **SPANISH).content.decode()
    assert '<td data-label="Finalidad">Mide nuestros anuncios.</td><td data-label="Duración">13 meses</td>' in html


@pytest.mark.parametrize(
    ("region", "signal", "words", "accept"),
    [
        (
            "FR",
            False,
            "Con tu permiso, también usamos cookies de rendimiento y funcionalidad y cookies de publicidad; no se "
            "guarda ninguna hasta que elijas.",
            "Aceptar todas",
        ),
        (
            "",  # unknown: opt-in, and the signal is honoured (fail safe)
            True,
            "Con tu permiso, también usamos cookies de rendimiento y funcionalidad; no se guarda ninguna hasta que "
            "elijas. Tu navegador envía una señal de preferencia de exclusión, así que las cookies de publicidad "
            "siguen desactivadas.",
            "Aceptar todas excepto las de publicidad",
        ),
        (
            "US-TX",
            False,
            "además de cookies de rendimiento y funcionalidad y de publicidad, que puedes desactivar.",
            "Aceptar todas",
        ),
        (
            "US-TX",
            True,
            "además de cookies de rendimiento y funcionalidad, que puedes desactivar. Tu navegador envía una señal de "
            "preferencia de exclusión, así que las cookies de publicidad siguen desactivadas.",
            "Aceptar todas excepto las de publicidad",
        ),
    ],
)
def test_the_banner_speaks_spanish_in_each_regions_model__R_I18N_1_R_CK_2_R_GPC_4(
    client, region, signal, words, accept
):
    """Asked for permission in an opt-in region, told in an opt-out one, and never offered "all" under the signal."""
    headers = {**SPANISH, "HTTP_X_PRIVACY_REGION": region, **(GPC if signal else {})}
    banner = banner_of(client.get(reverse("privacy_statement"), **headers).content.decode())
    assert "Cookies en Privacy Center" in banner
    assert words in banner
    assert f">{accept}</button>" in banner
    assert ">Rechazar las no esenciales</button>" in banner
    assert ">Administrar opciones</a>" in banner
    asks = region != "US-TX"
    assert ("permiso" in banner) is asks, "permission is asked only where it is what is recorded"


def test_the_banner_tells_an_opt_out_region_in_spanish_that_advertising_is_already_off__R_I18N_1_R_CK_2(client):
    client.get(reverse("home"), **GPC)  # the signal records advertising off for the visitor (R-GPC-4)
    banner = banner_of(client.get(reverse("privacy_statement"), **SPANISH).content.decode())
    assert "Las cookies de publicidad están desactivadas en este navegador." in banner


@pytest.mark.parametrize(
    ("action", "signal", "answer"),
    [
        ("accept_all", False, "Aceptaste todas las cookies."),
        ("accept_all", True, "Aceptaste todas las cookies excepto las cookies de publicidad."),
        ("reject_non_essential", False, "Rechazaste las cookies no esenciales."),
        ("save", False, "Se guardaron tus opciones de cookies."),
        ("advertising_off", False, "Las cookies de publicidad están desactivadas en este navegador."),
    ],
)
def test_the_answers_after_choosing_are_in_spanish__R_I18N_1_R_GPC_4(client, action, signal, answer):
    headers = {**SPANISH, **(GPC if signal else {})}
    response = client.post(reverse("cookies"), {"action": action}, follow=True, **headers)
    html = response.content.decode()
    assert answer in html
    assert ("You accepted" in html) is False
    if signal:
        assert "Se respetó la señal de preferencia de exclusión: tu navegador envía" in html


def test_a_choice_the_tool_does_not_understand_is_refused_in_spanish_too__R_I18N_1_R_CK_2(client):
    response = client.post(reverse("cookies"), {"action": "everything"}, **SPANISH)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "<h1>Preferencias de cookies</h1>" in response.content.decode()
    assert cookies.CONSENT_COOKIE not in response.cookies


def test_the_privacy_statement_and_do_not_sell_in_spanish__R_I18N_1(client):
    statement = client.get(reverse("privacy_statement"), **SPANISH).content.decode()
    assert '<html lang="es"' in statement
    assert "<h1>Declaración de privacidad</h1>" in statement
    assert '<h2 id="cookies-and-internet-advertising">Cookies y publicidad en internet</h2>' in statement
    assert '<nav aria-label="En esta página">' in statement
    assert 'en la <a href="/cookies/">herramienta de opciones de cookies</a>' in statement
    assert 'href="/privacy/do-not-sell/#global-privacy-control">No vender ni compartir' in statement
    page = client.get(reverse("do_not_sell"), **SPANISH).content.decode()
    assert '<html lang="es"' in page
    assert "<h1>No vender ni compartir mi información personal</h1>" in page
    assert ">Desactivar las cookies de publicidad</button>" in page
    assert "<strong>Desactivar todo en todos los perfiles</strong>" in page
    assert "Control Global de Privacidad (GPC) / exclusión universal" in page
    assert "“¿Quién está viendo?”" in page
