"""Signing in, resetting the password by text and the language chooser in a real browser, in English and Spanish
(R-I18N-1): with the keyboard, without JavaScript, and WCAG 2.2 AA clean at 1280 and 375 px on the sign-in,
"Who's watching?", Account and phone pages."""

import tempfile
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import expect

from accounts import views
from accounts.models import Account
from common.sms import backends
from tests.browser.conftest import LANGUAGES
from tests.helpers import assert_accessible, sent_code, sign_in, words

pytestmark = pytest.mark.browser

# Looked at after a run, not only asserted on.
SCREENSHOTS = Path(tempfile.gettempdir())
NEW_PASSWORD = "a-new-long-passphrase-42"
OTHER = {"en": "es", "es": "en"}
NAMES = {"en": "English", "es": "Español"}  # each language names itself on the chooser


@pytest.fixture
def no_script(browser, live_server, demo, language):
    """A page in the test's language with JavaScript turned off."""
    context = browser.new_context(base_url=live_server.url, locale=language, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in_with_the_keyboard(page, say, password: str = "demo-pass-1234") -> None:
    """Type into the sign-in form and send it with Enter, as someone without a mouse does (the email field has
    the focus when the page opens)."""
    page.goto("/login/")
    expect(page.get_by_label(say("Email"))).to_be_focused()
    page.keyboard.type("ads@example.com")
    page.keyboard.press("Tab")
    expect(page.get_by_label(say("Password"), exact=True)).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/profiles/")


def code_sent(language: str) -> str:
    """What the code page says once a code was asked for, in `language` (its words are proven in
    tests/accounts/test_password_reset.py)."""
    with translation.override(language):
        return views.code_sent()


def reset_by_text(page, language: str, say) -> None:
    """From the sign-in page to a new password by a code sent by text, every step by its words."""
    page.goto("/login/")
    page.get_by_role("link", name=say("Forgot your password?")).click()
    page.get_by_role("link", name=say("Reset by text message instead")).click()
    expect(page.get_by_role("heading", level=1, name=say("Reset your password by text message"))).to_be_visible()
    page.get_by_label(say("Email")).fill("ads@example.com")
    page.get_by_label(say("Phone number")).fill("+1 415 555 0123")
    page.get_by_role("button", name=say("Text me a code")).click()
    expect(page.get_by_role("heading", level=1, name=say("Enter your code"))).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(code_sent(language))
    page.get_by_label(say("6-digit code")).fill(sent_code())
    page.get_by_label(say("New password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(say("New password again"), exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=say("Save new password")).click()
    page.wait_for_url("**/login/")
    expect(page.get_by_role("status")).to_contain_text(say("Your password was changed. Sign in with the new one."))


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_in_with_the_keyboard_and_choosing_a_profile__R_I18N_1(page, language, say):
    sign_in_with_the_keyboard(page, say)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1, name=say("Who's watching?"))).to_be_visible()
    sam = page.get_by_role("button", name="Sam", exact=True)
    sam.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(say("You are watching as %(name)s.", name="Sam"))
    expect(page.get_by_role("heading", level=1, name=say("Account"))).to_be_visible()
    assert Account.objects.get(email="ads@example.com").language == language, "kept for emails and texts"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wrong_password_is_told_in_the_pages_language__R_I18N_1(page, language, say):
    page.goto("/login/")
    page.get_by_label(say("Email")).fill("ads@example.com")
    page.get_by_label(say("Password"), exact=True).fill("not-the-password")
    page.get_by_role("button", name=say("Sign in")).click()
    expect(page.get_by_role("alert")).to_have_text(say("Incorrect email or password. Check both and try again."))


@pytest.mark.parametrize("language", LANGUAGES)
def test_resetting_the_password_by_text__R_I18N_1(page, language, say, sms_outbox):
    reset_by_text(page, language, say)
    [text] = sms_outbox
    with translation.override(language):
        expected = translation.ngettext(
            "Your Privacy Center password reset code is %(code)s. It is valid for %(minutes)d minute.",
            "Your Privacy Center password reset code is %(code)s. It is valid for %(minutes)d minutes.",
            10,
        ) % {"code": sent_code(), "minutes": 10}
    assert text.body == expected, "the demo member has no language yet: the text is in the page's"
    sign_in(page, password=NEW_PASSWORD, language=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_in_and_resetting_by_text_work_without_javascript__R_I18N_1(no_script, language, say, sms_outbox):
    reset_by_text(no_script, language, say)
    sign_in(no_script, password=NEW_PASSWORD, language=language)
    expect(no_script.get_by_role("heading", level=1, name=say("Who's watching?"))).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_language_chooser_works_with_the_keyboard_and_without_javascript__R_I18N_1(no_script, language, say):
    """Each language's button names itself; pressing the other one brings the same page back in it, which stays
    so on the next page, and a member who signs in then reads their emails and texts in it."""
    other = OTHER[language]
    no_script.goto("/login/")
    chooser = no_script.get_by_role("group", name=say("Language"))
    expect(chooser.get_by_role("button", name=NAMES[language])).to_have_attribute("aria-pressed", "true")
    chooser.get_by_role("button", name=NAMES[other]).focus()
    no_script.keyboard.press("Enter")

    no_script.wait_for_url("**/login/")
    expect(no_script.locator("html")).to_have_attribute("lang", other)
    expect(no_script.get_by_role("heading", level=1, name=words(other, "Sign in"))).to_be_visible()
    expect(
        no_script.get_by_role("group", name=words(other, "Language")).get_by_role("button", name=NAMES[other])
    ).to_have_attribute("aria-pressed", "true")
    sign_in(no_script, language=other)
    expect(no_script.get_by_role("heading", level=1, name=words(other, "Who's watching?"))).to_be_visible()
    assert Account.objects.get(email="ads@example.com").language == other


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 740}])
def test_sign_in_whos_watching_account_and_phone_have_no_wcag_22_aa_violations_and_are_looked_at__R_I18N_1(
    page, language, say, viewport
):
    page.set_viewport_size(viewport)
    width = viewport["width"]
    pages = [
        ("/login/", say("Sign in")),
        ("/profiles/", say("Who's watching?")),
        ("/account/", say("Account")),
        ("/account/phone/", say("Change phone number")),
        ("/account/phone/?delete", say("Change phone number")),
    ]
    for number, (path, heading) in enumerate(pages):
        if number == 1:
            sign_in(page, language=language)
        else:
            page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page, f"{path} in {language}", width)
        name = path.strip("/").replace("/", "-").replace("?", "-") or "home"
        page.screenshot(path=SCREENSHOTS / f"i18n-accounts-{name}-{language}-{width}.png", full_page=True)
    backends.outbox.clear()
