"""Email and text-message preferences and the phone page in a real browser (R-EM-1, R-SMS-2)."""

import pytest
from playwright.sync_api import expect

from accounts.models import Account, PhoneNumber
from tests.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.browser
PASSWORD = "demo-pass-1234"


def test_member_deletes_the_phone_and_sees_no_number_and_no_text_settings__R_SMS_2(page):
    sign_in(page)
    page.goto("/account/")
    expect(page.get_by_role("link", name="Text message preferences")).to_be_visible()
    page.get_by_role("link", name="Change phone number").click()
    page.get_by_role("link", name="Delete phone number").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Delete phone number").click()

    expect(page.get_by_role("status")).to_contain_text("Your phone number was deleted.")
    expect(page.get_by_text("No phone number")).to_be_visible()
    expect(page.get_by_text("415")).to_have_count(0)
    expect(page.get_by_role("link", name="Text message preferences")).to_have_count(0)
    page.goto("/account/texts/")
    expect(page.get_by_role("switch")).to_have_count(0)
    assert not PhoneNumber.objects.filter(account=Account.objects.get(email="ads@example.com")).exists()


def test_member_turns_an_email_category_off_and_it_is_kept__R_EM_1(page):
    sign_in(page)
    page.goto("/account/")
    page.get_by_role("link", name="Email preferences for Sam").click()
    expect(page.get_by_role("heading", level=1, name="Email preferences")).to_be_visible()
    expect(
        page.get_by_role("switch", name="Service email (billing, security, password reset) Always on")
    ).to_be_disabled()

    surveys = page.get_by_role("switch", name="Surveys")
    expect(surveys).to_be_checked()
    surveys.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the email preferences for Sam.")

    page.reload()
    expect(page.get_by_role("switch", name="Surveys")).not_to_be_checked()
    expect(page.get_by_role("switch", name="Offers and news")).to_be_checked()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_comms_pages_have_no_wcag_22_aa_violations(browser, live_server, demo, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()

    def check(url: str) -> None:
        page.goto(url)
        assert_accessible(page, url, viewport["width"])

    for url in ("/password-reset/", "/password-reset/text/", "/unsubscribe/?t=bad-token"):
        check(url)
    sign_in(page)
    account = Account.objects.get(email="ads@example.com")
    sam = account.profiles.get(name="Sam")
    for url in (f"/account/profiles/{sam.pk}/emails/", "/account/texts/", "/account/phone/", "/account/phone/?delete"):
        check(url)
    context.close()
