"""The member's devices and the Account page's Marketing Communications in a real browser (R-DEV-1, R-MC-1): the
devices page reached from the Account page, a device signed out through its confirmation page (with JavaScript
and without) so that its app token stops working, and both pages WCAG 2.2 AA clean at 1280 and 375 px."""

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from consent import services
from consent.models import Device, Platform
from tests.helpers import assert_accessible, sign_in

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


def sign_out_the_iphone(page) -> None:
    page.get_by_role("link", name=re.compile(r"^Sign out this device\W+iOS device added")).click()
    expect(page.get_by_role("heading", level=1, name="Sign out this device")).to_be_visible()
    expect(
        page.get_by_role("heading", level=2, name=re.compile(r"^Sign out your iOS device added .*\?$"))
    ).to_be_visible()
    page.get_by_role("button", name="Sign out this device").click()
    expect(page.get_by_role("status")).to_contain_text("The device was signed out.")
    expect(page.get_by_role("heading", level=2, name="1 device")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=re.compile(r"^Android device added"))).to_be_visible()


def test_member_finds_the_devices_and_signs_one_out__R_DEV_1(page, app_tokens):
    sign_in(page)
    page.goto("/account/")
    page.get_by_role("link", name="Your devices: their settings, and signing one out").click()
    expect(page.get_by_role("heading", level=1, name="Your devices")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="2 devices")).to_be_visible()
    tablet = page.locator(".device-list > li").filter(has_text="Android device added")
    expect(tablet).to_contain_text("On: ads on this device are not tailored to your likely interests")
    expect(tablet).to_contain_text("Off: we send this device no push notifications")
    expect(page.get_by_text("usually found under “privacy” or “ads” in your device's settings")).to_be_visible()

    sign_out_the_iphone(page)
    assert services.app_token_use(secret=app_tokens[Platform.IOS]) is None, "the iPhone's token stopped working"
    assert services.app_token_use(secret=app_tokens[Platform.ANDROID]) is not None
    assert list(Device.objects.values_list("platform", flat=True)) == [Platform.ANDROID]


def test_signing_out_works_without_javascript__R_DEV_1(browser, live_server, app_tokens):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page)
    page.goto("/account/devices/")
    sign_out_the_iphone(page)
    assert services.app_token_use(secret=app_tokens[Platform.IOS]) is None
    context.close()


def test_cancel_leaves_the_device_signed_in__R_DEV_1(page, app_tokens):
    sign_in(page)
    page.goto("/account/devices/")
    page.get_by_role("link", name=re.compile(r"^Sign out this device\W+iOS device added")).click()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=2, name="2 devices")).to_be_visible()
    assert services.app_token_use(secret=app_tokens[Platform.IOS]) is not None


def test_marketing_communications_on_the_account_page__R_MC_1(page):
    sign_in(page)
    page.goto("/account/")
    section = page.get_by_role("region", name="Marketing Communications")
    expect(section).to_be_visible()
    kids = section.locator("li").filter(has=page.get_by_role("heading", level=3, name=re.compile("^Kids")))
    expect(kids).to_contain_text("Kids profiles get no marketing email")
    section.get_by_role("link", name="Change Matched Identifier Communications for Sam").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Privacy and data settings")


@pytest.mark.usefixtures("app_tokens")
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 740}])
def test_devices_and_account_pages_have_no_wcag_22_aa_violations_and_are_looked_at__R_DEV_1_R_MC_1(page, viewport):
    page.set_viewport_size(viewport)
    sign_in(page)
    width = viewport["width"]
    page.goto("/account/")
    assert_accessible(page, "/account/", width)
    page.screenshot(path=SCREENSHOTS / f"account-{width}.png", full_page=True)
    page.goto("/account/devices/")
    assert_accessible(page, "/account/devices/", width)
    page.screenshot(path=SCREENSHOTS / f"devices-{width}.png", full_page=True)
    page.get_by_role("link", name=re.compile(r"^Sign out this device\W+iOS device added")).click()
    expect(page.get_by_role("heading", level=1, name="Sign out this device")).to_be_visible()
    assert_accessible(page, "the sign-out confirmation", width)
    page.screenshot(path=SCREENSHOTS / f"device-sign-out-{width}.png", full_page=True)
