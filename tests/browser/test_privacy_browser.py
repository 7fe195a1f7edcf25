"""A member in a real browser, finding things by role and label as a screen reader does."""

import re

import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import Account, Plan
from tests.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def open_privacy_settings(page, profile_name: str) -> None:
    page.goto("/account/")
    page.get_by_role("link", name=f"Privacy and data settings for {profile_name}").click()
    expect(page.get_by_role("heading", level=1, name="Privacy and data settings")).to_be_visible()


def test_member_turns_mic_off_and_it_stays_off_after_reload__R_PDS_1(page):
    sign_in(page)
    page.get_by_role("button", name=re.compile("Sam")).click()
    expect(page.get_by_role("link", name="Watching as Sam")).to_be_visible()
    open_privacy_settings(page, "Sam")

    mic = page.get_by_role("switch", name="Matched Identifier Communications")
    expect(mic).to_be_checked()
    mic.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved your privacy and data settings for Sam.")

    page.reload()
    expect(page.get_by_role("switch", name="Matched Identifier Communications")).not_to_be_checked()
    expect(page.get_by_role("switch", name="Behavioral Advertising")).to_be_checked()


def test_kids_profile_shows_no_behavioral_advertising_switch__R_PDS_2(page):
    sign_in(page)
    open_privacy_settings(page, "Kids")
    expect(page.get_by_role("switch", name="Matched Identifier Communications")).to_be_visible()
    expect(page.get_by_role("switch", name="Behavioral Advertising")).to_have_count(0)


def test_switches_and_buttons_work_from_the_keyboard_alone__R_PDS_4(page):
    sign_in(page)
    open_privacy_settings(page, "Alex")
    mic = page.get_by_role("switch", name="Matched Identifier Communications")
    mic.focus()
    page.keyboard.press("Space")
    expect(mic).not_to_be_checked()
    page.get_by_role("button", name="Opt all profiles out of all").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("All profiles on your account are opted out of all.")
    expect(page.get_by_role("switch", name="Behavioral Advertising")).not_to_be_checked()


def test_a_form_gone_stale_says_so_and_shows_the_current_settings__R_PDS_1(page):
    sign_in(page)
    open_privacy_settings(page, "Sam")
    page.get_by_role("switch", name="Matched Identifier Communications").uncheck()
    # Meanwhile support staff move the account to a plan without ads.
    ads = Account.objects.get(email="ads@example.com")
    account_services.account_set_plan(account=ads, plan=Plan.PREMIUM, acting_user=None)

    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("changed since the page was shown, so nothing was saved")
    expect(page.get_by_role("switch", name="Behavioral Advertising")).to_have_count(0)
    expect(page.get_by_role("switch", name="Matched Identifier Communications")).to_be_checked()


def test_pages_work_without_javascript(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, email="basic@example.com")
    open_privacy_settings(page, "Jordan")
    page.get_by_role("button", name="Opt out of all", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Jordan is opted out of all.")
    context.close()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_pages_have_no_wcag_22_aa_violations(browser, live_server, demo, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()

    def check(url: str) -> None:
        page.goto(url)
        assert_accessible(page, url, viewport["width"])

    for url in ("/", "/login/"):
        check(url)
    sign_in(page)
    for url in ("/profiles/", "/account/", "/profiles/add/", "/account/phone/", "/account/phone/?delete"):
        check(url)
    for name in ("Alex", "Kids"):
        open_privacy_settings(page, name)
        check(page.url)
    context.close()
