"""Global Privacy Control and the cookie choice tool in a real browser (R-GPC-3, R-GPC-4, R-GPC-6, R-CK-2..4)."""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from consent import email
from consent.choices import Choice
from consent.models import Cookie
from tests.helpers import LANGUAGES, assert_accessible, sign_in

pytestmark = pytest.mark.browser


REGION_HEADER = "X-Privacy-Region"
TEXAS = {REGION_HEADER: "US-TX"}  # an opt-out region, as the trusted proxy would say


@pytest.fixture
def region_header(settings):
    settings.PRIVACY_REGION_HEADER = REGION_HEADER


def cookie_names(context) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


def category_switch(say, label: str) -> str:
    """The accessible name of a category's switch on the cookie tool: "Allow advertising cookies"."""
    return say("Allow %(label)s", label=say(label).lower())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("javascript", [True, False])
def test_visitor_rejects_non_essential_cookies_from_the_banner__R_CK_2_R_CK_3_R_CK_4_R_I18N_1(
    browser, live_server, demo, region_header, javascript, language, say
):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=javascript, extra_http_headers=TEXAS, locale=language
    )
    page = context.new_page()
    page.goto("/")
    banner = page.get_by_role("region", name=say("Cookies on Privacy Center"))
    expect(banner).to_be_visible()
    assert "ad_id" in cookie_names(context), "outside opt-in regions advertising cookies start on"

    banner.get_by_role("button", name=say("Reject non-essential")).click()

    expect(page.get_by_role("status")).to_contain_text(
        say("You rejected non-essential cookies. Only strictly necessary cookies are used.")
    )
    expect(page.get_by_role("region", name=say("Cookies on Privacy Center"))).to_have_count(0)
    assert "ad_id" not in cookie_names(context), "enforcement removed the advertising cookie"
    assert "privacy_consent" in cookie_names(context)
    page.goto("/")
    assert "ad_id" not in cookie_names(context)
    expect(page.get_by_role("complementary", name="Advertisement")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_visitor_turns_off_advertising_cookies_in_one_click_on_do_not_sell__R_GPC_4_R_I18N_1(page, say):
    page.goto("/")
    page.get_by_role("link", name=say("Do Not Sell or Share My Personal Information")).click()
    page.get_by_role("button", name=say("Turn off advertising cookies")).click()
    expect(page.get_by_role("status")).to_contain_text(say("Advertising cookies are off on this browser."))
    assert "ad_id" not in cookie_names(page.context)


@pytest.mark.parametrize("language", LANGUAGES)
def test_visitor_of_unknown_region_is_asked_before_any_advertising_cookie__R_CK_2_R_I18N_1(page, say):
    page.goto("/")
    banner = page.get_by_role("region", name=say("Cookies on Privacy Center"))
    expect(banner).to_contain_text(
        say(
            "We use strictly necessary cookies to run the site. With your permission we also use performance and "
            "functionality cookies and advertising cookies; none of them is set until you choose."
        )
    )
    assert "ad_id" not in cookie_names(page.context), "an unknown region fails safe: nothing before permission"
    banner.get_by_role("button", name=say("Accept all"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(say("You accepted all cookies."))
    page.goto("/")
    assert "ad_id" in cookie_names(page.context)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cookie_tool_works_from_the_keyboard__R_CK_4_R_I18N_1(
    browser, live_server, demo, region_header, language, say
):
    context = browser.new_context(base_url=live_server.url, extra_http_headers=TEXAS, locale=language)
    page = context.new_page()
    page.goto("/cookies/")
    advertising = page.get_by_role("switch", name=category_switch(say, "Advertising cookies"))
    expect(advertising).to_be_checked()
    advertising.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name=say("Save my choices")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(say("Saved your cookie choices."))
    expect(page.get_by_role("switch", name=category_switch(say, "Advertising cookies"))).not_to_be_checked()
    expect(
        page.get_by_role("switch", name=category_switch(say, "Performance and functionality cookies"))
    ).to_be_checked()
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_visitor_with_the_signal_gets_no_advertising_cookie__R_GPC_4_R_I18N_1(
    browser, live_server, demo, language, say
):
    context = browser.new_context(base_url=live_server.url, extra_http_headers={"Sec-GPC": "1"}, locale=language)
    page = context.new_page()
    page.goto("/")
    assert "ad_id" not in cookie_names(context)
    banner = page.get_by_role("region", name=say("Cookies on Privacy Center"))
    banner.get_by_role("button", name=say("Accept all except advertising")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        say("You accepted all cookies except advertising cookies.")
    )
    page.goto("/cookies/")
    expect(page.get_by_role("status").first).to_contain_text(
        say(
            "Opt-out preference signal honored. Your browser sends Global Privacy Control, so advertising cookies "
            "are off on this browser. To allow them, turn the signal off in your browser and choose again here."
        )
    )
    expect(page.get_by_role("switch", name=category_switch(say, "Advertising cookies"))).not_to_be_checked()
    assert "ad_id" not in cookie_names(context)
    context.close()


def test_member_with_the_signal_is_opted_out_and_confirms_to_turn_a_choice_back_on__R_GPC_3_R_GPC_6(
    browser, live_server, demo
):
    context = browser.new_context(base_url=live_server.url, extra_http_headers={"Sec-GPC": "1"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page)
    page.get_by_role("button", name=re.compile("Sam")).click()
    page.goto("/account/")
    page.get_by_role("link", name="Privacy and data settings for Sam").click()

    expect(page.get_by_text("Opt-out preference signal honored")).to_be_visible()
    mic = page.get_by_role("switch", name="Matched Identifier Communications")
    expect(mic).not_to_be_checked()
    expect(page.get_by_role("switch", name="Behavioral Advertising")).not_to_be_checked()

    mic.check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Turn on despite your opt-out preference signal?")).to_be_visible()
    page.get_by_role("button", name="Yes, turn on").click()

    expect(page.get_by_role("status")).to_contain_text("Saved your privacy and data settings for Sam.")
    page.reload()
    expect(page.get_by_role("switch", name="Matched Identifier Communications")).to_be_checked()
    context.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_cookie_and_privacy_pages_have_no_wcag_22_aa_violations(browser, live_server, demo, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, extra_http_headers={"Sec-GPC": "1"})
    page = context.new_page()
    for url in ("/", "/cookies/", "/privacy/", "/privacy/do-not-sell/"):
        page.goto(url)
        assert_accessible(page, url, viewport["width"])
    sign_in(page)
    page.get_by_role("button", name=re.compile("Sam")).click()
    page.goto("/account/")
    page.get_by_role("link", name="Privacy and data settings for Sam").click()
    page.get_by_role("switch", name="Matched Identifier Communications").check()
    page.get_by_role("button", name="Save").click()
    assert_accessible(page, "conflict page")
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_visitor_pages_have_no_wcag_22_aa_violations_in_either_language__R_CK_4_R_I18N_1(
    browser, live_server, demo, shipped_cookie_registry, language, say, viewport, tmp_path
):
    """The banner, the cookie tool with its registry, Do Not Sell, the Privacy Statement and every unsubscribe
    state, under the signal (the banner's longest words), at both widths, in English and Spanish."""
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, extra_http_headers={"Sec-GPC": "1"}, locale=language
    )
    page = context.new_page()
    width = viewport["width"]
    shots = tmp_path / f"{language}-{width}"  # screenshots to look at: longer Spanish words must not break layouts
    page.goto("/")
    expect(page.get_by_role("region", name=say("Cookies on Privacy Center"))).to_be_visible()
    assert_accessible(page, "the banner", width)
    page.screenshot(path=f"{shots}-banner.png", full_page=True)
    for url, heading, name in (
        ("/cookies/", "Cookie preferences", "cookies"),
        ("/privacy/", "Privacy Statement", "statement"),
        ("/privacy/do-not-sell/", "Do Not Sell or Share My Personal Information", "do-not-sell"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(say(heading))
        assert_accessible(page, url, width)
        page.screenshot(path=f"{shots}-{name}.png", full_page=True)
    page.goto("/cookies/")
    ad_id = Cookie.objects.get(name="ad_id")
    expect(page.get_by_role("row", name=re.compile("ad_id"))).to_contain_text(
        ad_id.purpose_es if language == "es" else ad_id.purpose
    )

    sam = Profile.objects.filter(name="Sam").first()
    assert sam is not None
    token = email.unsubscribe_token(profile=sam, category=Choice.EMAIL_OFFERS)
    page.goto(f"/unsubscribe/?{urlencode({email.TOKEN_PARAMETER: token})}")
    assert_accessible(page, "unsubscribe: confirm", width)
    page.screenshot(path=f"{shots}-unsubscribe.png", full_page=True)
    page.get_by_role("button", name=say("Unsubscribe")).click()
    expect(page.get_by_role("status")).to_contain_text("Sam")
    assert_accessible(page, "unsubscribe: done", width)
    page.goto("/unsubscribe/?t=not-a-token")
    expect(page.get_by_role("alert")).to_contain_text(
        say(
            "This unsubscribe link is not valid any more: it has expired or was changed. Nothing was changed. "
            "Sign in and open Email preferences to choose which emails you get."
        )
    )
    assert_accessible(page, "unsubscribe: bad link", width)
    page.screenshot(path=f"{shots}-unsubscribe-bad.png", full_page=True)
    context.close()
