"""Support staff in a real browser: the consent event list fits a 1280 px screen (R-AU-2, R-AU-4)."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Account, Profile
from consent import services
from consent.choices import Source

pytestmark = pytest.mark.browser

# Looked at after a run, not only asserted on.
SCREENSHOT = Path(tempfile.gettempdir()) / "admin-consent-events-1280.png"


def sign_in_to_admin(page) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Email address").fill("admin@example.com")
    page.get_by_label("Password").fill("demo-pass-1234")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Accounts, profiles and consent")).to_be_visible()


def test_event_list_shows_new_value_source_and_acting_user_without_scrolling_at_1280__R_AU_4(page):
    staff = Account.objects.get(email="admin@example.com")
    sam = Profile.objects.select_related("account").get(account__email="ads@example.com", name="Sam")
    services.profile_opt_out_of_all(profile=sam, actor=services.Actor(source=Source.ADMIN, acting_user=staff))
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_to_admin(page)

    page.goto("/admin/consent/consentevent/")
    first_row = page.locator("#result_list tbody tr").first
    expect(first_row).to_contain_text("on → off")
    expect(first_row).to_contain_text("Support staff (admin)")
    expect(first_row).to_contain_text("admin@example.com")
    page.screenshot(path=SCREENSHOT)

    results = page.locator("#changelist .results")
    assert results.evaluate("element => element.scrollWidth <= element.clientWidth"), "the table scrolls sideways"
    for header in ("change · context", "source · acting user"):
        box = page.get_by_role("columnheader", name=header).bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 1280, f"{header} is off-screen: {box}"
    source = first_row.locator("td.field-source_email").bounding_box()
    assert source is not None
    assert source["x"] + source["width"] <= 1280
