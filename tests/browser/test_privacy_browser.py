"""A member in a real browser, finding things by role and label as a screen reader does."""

import re

import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.models import Account, Plan
from tests.helpers import LANGUAGES, assert_accessible, sign_in, words

pytestmark = pytest.mark.browser


def open_privacy_settings(page, profile_name: str, language: str = "en") -> None:
    page.goto("/account/")
    # The account page's link reads "Privacy and data settings", naming the profile for screen readers.
    link = re.compile(f"^{re.escape(words(language, 'Privacy and data settings'))}\\b.*\\b{re.escape(profile_name)}$")
    page.get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1, name=words(language, "Privacy and data settings"))).to_be_visible()


# R-I18N-1: each flow runs in English and in Spanish, finding every control by the words its language shows.


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_turns_mic_off_and_it_stays_off_after_reload__R_PDS_1_R_I18N_1(page, language, say):
    sign_in(page, language=language)
    page.get_by_role("button", name=re.compile("Sam")).click()
    expect(page.get_by_role("link", name=say("Watching as %(name)s", name="Sam"))).to_be_visible()
    open_privacy_settings(page, "Sam", language)

    mic = page.get_by_role("switch", name=say("Matched Identifier Communications"))
    expect(mic).to_be_checked()
    mic.uncheck()
    page.get_by_role("button", name=say("Save")).click()
    expect(page.get_by_role("status")).to_contain_text(
        say("Saved your privacy and data settings for %(name)s.", name="Sam")
    )

    page.reload()
    expect(page.get_by_role("switch", name=say("Matched Identifier Communications"))).not_to_be_checked()
    expect(page.get_by_role("switch", name=say("Behavioral Advertising"))).to_be_checked()


@pytest.mark.parametrize("language", LANGUAGES)
def test_kids_profile_shows_no_behavioral_advertising_switch__R_PDS_2_R_I18N_1(page, language, say):
    sign_in(page, language=language)
    open_privacy_settings(page, "Kids", language)
    expect(page.get_by_role("switch", name=say("Matched Identifier Communications"))).to_be_visible()
    expect(page.get_by_role("switch", name=say("Behavioral Advertising"))).to_have_count(0)
    expect(page.get_by_text(say("We do not engage in behavioral advertising on Kids profiles."))).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_switches_and_opt_all_profiles_work_from_the_keyboard_alone__R_PDS_4_R_I18N_1(page, language, say):
    sign_in(page, language=language)
    open_privacy_settings(page, "Alex", language)
    mic = page.get_by_role("switch", name=say("Matched Identifier Communications"))
    mic.focus()
    page.keyboard.press("Space")
    expect(mic).not_to_be_checked()
    page.get_by_role("button", name=say("Opt all profiles out of all")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        say("All profiles on your account are opted out of all. Profiles you add later will start opted out.")
    )
    expect(page.get_by_role("switch", name=say("Behavioral Advertising"))).not_to_be_checked()
    expect(
        page.get_by_text(
            say(
                "“Opt all profiles out of all” is in force: every profile, including profiles added later, "
                "starts opted out."
            )
        )
    ).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_gone_stale_says_so_and_shows_the_current_settings__R_PDS_1_R_I18N_1(page, language, say):
    sign_in(page, language=language)
    open_privacy_settings(page, "Sam", language)
    page.get_by_role("switch", name=say("Matched Identifier Communications")).uncheck()
    # Meanwhile support staff move the account to a plan without ads.
    ads = Account.objects.get(email="ads@example.com")
    account_services.account_set_plan(account=ads, plan=Plan.PREMIUM, acting_user=None)

    page.get_by_role("button", name=say("Save")).click()

    expect(page.get_by_role("status")).to_contain_text(
        say(
            "Your plan or this profile changed since the page was shown, so nothing was saved. "
            "These are the current settings: check them and save again."
        )
    )
    expect(page.get_by_role("switch", name=say("Behavioral Advertising"))).to_have_count(0)
    expect(page.get_by_role("switch", name=say("Matched Identifier Communications"))).to_be_checked()


@pytest.mark.parametrize("language", LANGUAGES)
def test_opt_out_of_all_works_without_javascript__R_PDS_3_R_I18N_1(browser, live_server, demo, language, say):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale=language)
    page = context.new_page()
    sign_in(page, email="basic@example.com", language=language)
    open_privacy_settings(page, "Jordan", language)
    page.get_by_role("button", name=say("Opt out of all"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(say("%(name)s is opted out of all.", name="Jordan"))
    expect(page.get_by_role("button", name=say("Opt out of all"), exact=True)).to_have_count(0)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_pages_have_no_wcag_22_aa_violations__R_I18N_1(browser, live_server, demo, viewport, language):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=language)
    page = context.new_page()

    def check(url: str) -> None:
        page.goto(url)
        assert_accessible(page, url, viewport["width"])

    for url in ("/", "/login/"):
        check(url)
    sign_in(page, language=language)
    for url in ("/profiles/", "/account/", "/profiles/add/", "/account/phone/", "/account/phone/?delete"):
        check(url)
    for name in ("Alex", "Kids"):
        open_privacy_settings(page, name, language)
        check(page.url)
    context.close()
