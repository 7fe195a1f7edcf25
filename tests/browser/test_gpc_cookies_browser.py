"""Global Privacy Control and the cookie choice tool in a real browser (R-GPC-3, R-GPC-4, R-GPC-6, R-CK-2..4)."""

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser


REGION_HEADER = "X-Privacy-Region"
TEXAS = {REGION_HEADER: "US-TX"}  # an opt-out region, as the trusted proxy would say


@pytest.fixture
def region_header(settings):
    settings.PRIVACY_REGION_HEADER = REGION_HEADER


def cookie_names(context) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


@pytest.mark.parametrize("javascript", [True, False])
def test_visitor_rejects_non_essential_cookies_from_the_banner__R_CK_2_R_CK_3_R_CK_4(
    browser, live_server, demo, region_header, javascript
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, extra_http_headers=TEXAS)
    page = context.new_page()
    page.goto("/")
    banner = page.get_by_role("region", name="Cookies on Privacy Center")
    expect(banner).to_be_visible()
    assert "ad_id" in cookie_names(context), "outside opt-in regions advertising cookies start on"

    banner.get_by_role("button", name="Reject non-essential").click()

    expect(page.get_by_role("status")).to_contain_text("You rejected non-essential cookies")
    expect(page.get_by_role("region", name="Cookies on Privacy Center")).to_have_count(0)
    assert "ad_id" not in cookie_names(context), "enforcement removed the advertising cookie"
    assert "privacy_consent" in cookie_names(context)
    page.goto("/")
    assert "ad_id" not in cookie_names(context)
    expect(page.get_by_role("complementary", name="Advertisement")).to_have_count(0)
    context.close()


def test_visitor_turns_off_advertising_cookies_in_one_click_on_do_not_sell__R_GPC_4(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Do Not Sell or Share My Personal Information").click()
    page.get_by_role("button", name="Turn off advertising cookies").click()
    expect(page.get_by_role("status")).to_contain_text("Advertising cookies are off on this browser.")
    assert "ad_id" not in cookie_names(context)
    context.close()


def test_visitor_of_unknown_region_is_asked_before_any_advertising_cookie__R_CK_2(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/")
    banner = page.get_by_role("region", name="Cookies on Privacy Center")
    expect(banner).to_contain_text("With your permission")
    assert "ad_id" not in cookie_names(context), "an unknown region fails safe: nothing before permission"
    banner.get_by_role("button", name="Accept all").click()
    expect(page.get_by_role("status")).to_contain_text("You accepted all cookies.")
    page.goto("/")
    assert "ad_id" in cookie_names(context)
    context.close()


def test_the_cookie_tool_works_from_the_keyboard__R_CK_4(browser, live_server, demo, region_header):
    context = browser.new_context(base_url=live_server.url, extra_http_headers=TEXAS)
    page = context.new_page()
    page.goto("/cookies/")
    advertising = page.get_by_role("switch", name="Allow advertising cookies")
    expect(advertising).to_be_checked()
    advertising.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save my choices").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Saved your cookie choices.")
    expect(page.get_by_role("switch", name="Allow advertising cookies")).not_to_be_checked()
    expect(page.get_by_role("switch", name="Allow performance and functionality cookies")).to_be_checked()
    context.close()


def test_visitor_with_the_signal_gets_no_advertising_cookie__R_GPC_4(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, extra_http_headers={"Sec-GPC": "1"})
    page = context.new_page()
    page.goto("/")
    assert "ad_id" not in cookie_names(context)
    page.goto("/cookies/")
    expect(page.get_by_text("Opt-out preference signal honored")).to_be_visible()
    expect(page.get_by_role("switch", name="Allow advertising cookies")).not_to_be_checked()
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
