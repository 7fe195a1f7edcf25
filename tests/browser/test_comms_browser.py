"""Email and text-message preferences and the phone page in a real browser (R-EM-1, R-SMS-2)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Account, PhoneNumber
from tests.helpers import LANGUAGES, assert_accessible, sign_in

pytestmark = pytest.mark.browser
PASSWORD = "demo-pass-1234"


# R-I18N-1: each flow runs in English and in Spanish, finding every control by the words its language shows.


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_deletes_the_phone_and_sees_no_number_and_no_text_settings__R_SMS_2_R_I18N_1(page, language, say):
    sign_in(page, language=language)
    page.goto("/account/")
    expect(page.get_by_role("link", name=say("Text message preferences"))).to_be_visible()
    page.get_by_role("link", name=say("Change phone number")).click()
    page.get_by_role("link", name=say("Delete phone number")).click()
    page.get_by_label(say("Password")).fill(PASSWORD)
    page.get_by_role("button", name=say("Delete phone number")).click()

    expect(page.get_by_role("status")).to_contain_text(
        say("Your phone number was deleted. We won't send you any text messages.")
    )
    expect(page.get_by_text(say("No phone number"))).to_be_visible()
    expect(page.get_by_text("415")).to_have_count(0)
    expect(page.get_by_role("link", name=say("Text message preferences"))).to_have_count(0)
    page.goto("/account/texts/")
    expect(page.get_by_role("switch")).to_have_count(0)
    expect(
        page.get_by_text(say("There is no phone number on your account, so we send you no text messages."))
    ).to_be_visible()
    assert not PhoneNumber.objects.filter(account=Account.objects.get(email="ads@example.com")).exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_turns_an_email_category_off_and_it_is_kept__R_EM_1_R_I18N_1(page, language, say):
    sign_in(page, language=language)
    page.goto("/account/")
    # The account page's link reads "Email preferences", naming the profile for screen readers.
    page.get_by_role("link", name=re.compile(f"^{re.escape(say('Email preferences'))}\\b.*\\bSam$")).click()
    expect(page.get_by_role("heading", level=1, name=say("Email preferences"))).to_be_visible()
    always_on = say("Always on", context="the service email, which cannot be turned off")
    service = f"{say('Service email (billing, security, password reset)')} {always_on}"
    expect(page.get_by_role("switch", name=service)).to_be_disabled()

    surveys = page.get_by_role("switch", name=say("Surveys"))
    expect(surveys).to_be_checked()
    surveys.uncheck()
    page.get_by_role("button", name=say("Save")).click()
    expect(page.get_by_role("status")).to_contain_text(say("Saved the email preferences for %(name)s.", name="Sam"))

    page.reload()
    expect(page.get_by_role("switch", name=say("Surveys"))).not_to_be_checked()
    expect(page.get_by_role("switch", name=say("Offers and news"))).to_be_checked()


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_turns_text_categories_off_and_they_are_kept__R_SMS_1_R_I18N_1(page, language, say):
    sign_in(page, language=language)
    page.goto("/account/")
    page.get_by_role("link", name=say("Text message preferences")).click()
    expect(page.get_by_role("heading", level=1, name=say("Text message preferences"))).to_be_visible()
    page.get_by_role("switch", name=say("Special offers")).uncheck()
    page.get_by_role("button", name=say("Save")).click()
    expect(page.get_by_role("status")).to_contain_text(say("Saved your text message preferences."))
    page.reload()
    expect(page.get_by_role("switch", name=say("Special offers"))).not_to_be_checked()
    expect(page.get_by_role("switch", name=say("Alerts"))).to_be_checked()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_comms_pages_have_no_wcag_22_aa_violations__R_I18N_1(browser, live_server, demo, viewport, language):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=language)
    page = context.new_page()

    def check(url: str) -> None:
        page.goto(url)
        assert_accessible(page, url, viewport["width"])

    for url in ("/password-reset/", "/password-reset/text/", "/unsubscribe/?t=bad-token"):
        check(url)
    sign_in(page, language=language)
    account = Account.objects.get(email="ads@example.com")
    sam = account.profiles.get(name="Sam")
    for url in (f"/account/profiles/{sam.pk}/emails/", "/account/texts/", "/account/phone/", "/account/phone/?delete"):
        check(url)
    context.close()
