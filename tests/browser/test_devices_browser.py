"""The member's devices and the Account page's Marketing Communications in a real browser (R-DEV-1, R-MC-1), in
English and Spanish (R-I18N-1): the devices page reached from the Account page, a device signed out through its
confirmation page (with JavaScript and without) so that its app token stops working, and the pages WCAG 2.2 AA
clean at 1280 and 375 px."""

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from consent import services
from consent.models import Device, Platform
from tests.helpers import LANGUAGES, assert_accessible, counted_words, sign_in

pytestmark = pytest.mark.browser

# Looked at after a run, not only asserted on.
SCREENSHOTS = Path(tempfile.gettempdir())


@pytest.fixture
def app_tokens(demo) -> dict[Platform, str]:
    """The demo member's app on an iPhone (ads not limited, notifications on) and on an Android tablet (limited,
    notifications off), each registered with its own app token; the tokens by platform."""
    account = Account.objects.get(email="ads@example.com")
    tokens: dict[Platform, str] = {}
    for platform, limited in ((Platform.IOS, False), (Platform.ANDROID, True)):
        secret = services.app_token_issue(account=account)
        services.device_register(
            account=account,
            platform=platform,
            advertising_id="",
            limit_ad_tracking=limited,
            notifications=not limited,
            acting_user=account,
            app_token=services.app_token_use(secret=secret),
        )
        tokens[platform] = secret
    return tokens


def devices_heading(language: str, count: int) -> str:
    return counted_words(language, "%(counter)s device", "%(counter)s devices", count)


def device_added(say, platform: str) -> str:
    """The start of a device's name, before its day: "iOS device added "."""
    return say("%(platform)s device added %(day)s").split("%(day)s")[0] % {"platform": platform}


def sign_out_link(page, say):
    name = re.compile("^" + re.escape(say("Sign out this device")) + r"\W+" + re.escape(device_added(say, "iOS")))
    return page.get_by_role("link", name=name)


def sign_out_the_iphone(page, say, language) -> None:
    sign_out_link(page, say).click()
    expect(page.get_by_role("heading", level=1, name=say("Sign out this device"))).to_be_visible()
    question = say("Sign out your %(platform)s device added %(day)s?").split("%(day)s")[0] % {"platform": "iOS"}
    expect(page.get_by_role("heading", level=2, name=re.compile("^" + re.escape(question) + r".*\?$"))).to_be_visible()
    page.get_by_role("button", name=say("Sign out this device")).click()
    signed_out = say("The device was signed out. The app on it will ask you to sign in again.")
    expect(page.get_by_role("status")).to_contain_text(signed_out)
    expect(page.get_by_role("heading", level=2, name=devices_heading(language, 1))).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=re.compile("^" + device_added(say, "Android")))).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_finds_the_devices_and_signs_one_out__R_DEV_1_R_I18N_1(page, app_tokens, say, language):
    sign_in(page, language=language)
    page.goto("/account/")
    page.get_by_role("link", name=say("Your devices: their settings, and signing one out")).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1, name=say("Your devices"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=devices_heading(language, 2))).to_be_visible()
    tablet = page.locator(".device-list > li").filter(has_text=device_added(say, "Android"))
    expect(tablet).to_contain_text(say("On: ads on this device are not tailored to your likely interests"))
    expect(tablet).to_contain_text(say("Off: we send this device no push notifications"))
    guidance = say(
        "If you use the mobile app, we may collect an advertising identifier from your device. To opt out of "
        "interest-based ads in connection with an advertising identifier on a mobile device, please configure the "
        "appropriate setting on your device (usually found under “privacy” or “ads” in your device's settings). You "
        "may still see ads on your device, but they will not be tailored to your likely interests."
    )
    expect(page.get_by_text(guidance)).to_be_visible()

    sign_out_the_iphone(page, say, language)
    assert services.app_token_use(secret=app_tokens[Platform.IOS]) is None, "the iPhone's token stopped working"
    assert services.app_token_use(secret=app_tokens[Platform.ANDROID]) is not None
    member_devices = Device.objects.filter(account__email="ads@example.com")
    assert list(member_devices.values_list("platform", flat=True)) == [Platform.ANDROID]


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_out_works_without_javascript__R_DEV_1_R_I18N_1(browser, live_server, app_tokens, say, language):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale=language)
    page = context.new_page()
    sign_in(page, language=language)
    page.goto("/account/devices/")
    sign_out_the_iphone(page, say, language)
    assert services.app_token_use(secret=app_tokens[Platform.IOS]) is None
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_cancel_leaves_the_device_signed_in__R_DEV_1_R_I18N_1(page, app_tokens, say, language):
    sign_in(page, language=language)
    page.goto("/account/devices/")
    sign_out_link(page, say).click()
    page.get_by_role("link", name=say("Cancel")).click()
    expect(page.get_by_role("heading", level=2, name=devices_heading(language, 2))).to_be_visible()
    assert services.app_token_use(secret=app_tokens[Platform.IOS]) is not None


@pytest.mark.parametrize("language", LANGUAGES)
def test_marketing_communications_on_the_account_page__R_MC_1_R_I18N_1(page, say, language):
    sign_in(page, language=language)
    page.goto("/account/")
    section = page.get_by_role("region", name=say("Marketing Communications"))
    expect(section).to_be_visible()
    expect(section).to_contain_text(say("What each profile allows, and where to change it."))
    expect(section.get_by_role("heading", level=3, name=say("Text messages, for the whole account"))).to_be_visible()
    kids = section.locator("li").filter(has=page.get_by_role("heading", level=3, name=re.compile("^Kids")))
    expect(kids).to_contain_text(say("Kids profiles get no marketing email"))
    mic_for_sam = say("Matched Identifier Communications for %(name)s", name="Sam")
    section.get_by_role("link", name=f"{say('Change')} {mic_for_sam}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(say("Privacy and data settings"))


@pytest.mark.usefixtures("app_tokens")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 740}])
def test_devices_and_account_pages_have_no_wcag_22_aa_violations_and_are_looked_at__R_DEV_1_R_MC_1_R_I18N_1(
    page, viewport, say, language
):
    page.set_viewport_size(viewport)
    sign_in(page, language=language)
    width = viewport["width"]
    page.goto("/account/")
    assert_accessible(page, f"/account/ ({language})", width)
    page.screenshot(path=SCREENSHOTS / f"account-{language}-{width}.png", full_page=True)
    page.goto("/account/devices/")
    assert_accessible(page, f"/account/devices/ ({language})", width)
    page.screenshot(path=SCREENSHOTS / f"devices-{language}-{width}.png", full_page=True)
    sign_out_link(page, say).click()
    expect(page.get_by_role("heading", level=1, name=say("Sign out this device"))).to_be_visible()
    assert_accessible(page, f"the sign-out confirmation ({language})", width)
    page.screenshot(path=SCREENSHOTS / f"device-sign-out-{language}-{width}.png", full_page=True)
