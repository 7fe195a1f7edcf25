"""The privacy history in a real browser (R-HIST-1), in English and Spanish (R-I18N-1): reached from the Account page
by keyboard, filtered by profile with a plain form (with JavaScript and without), downloaded as CSV, and WCAG 2.2
AA clean at 1280 and 375 px."""

import csv
import io
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Account, Profile
from consent import services
from consent.choices import Source
from tests.helpers import LANGUAGES, assert_accessible, counted_words, sign_in

pytestmark = pytest.mark.browser

# Looked at after a run, not only asserted on.
SCREENSHOTS = Path(tempfile.gettempdir())


def changes_heading(language: str, count: int) -> str:
    return counted_words(language, "%(counter)s change", "%(counter)s changes", count)


def by_in(say, how: str, place: str) -> str:
    """The start of a "how" sentence, up to its time: "by support staff, in California, "."""
    return say(how).split("%(when)s")[0] % {"place": say(place)}


@pytest.fixture
def history_of_the_demo_member(page, say, language) -> None:
    """The demo member's browser sends Global Privacy Control while watching as Sam; later support staff opt Kids
    out of all. With the demo's starting values that is eleven changes."""
    sign_in(page, language=language)
    page.context.set_extra_http_headers({"Sec-GPC": "1"})
    page.get_by_role("button", name=re.compile("Sam")).click()
    expect(page.get_by_role("link", name=say("Watching as %(name)s", name="Sam"))).to_be_visible()
    page.context.set_extra_http_headers({})
    staff = Account.objects.get(email="admin@example.com")
    kids = Profile.objects.select_related("account").get(account__email="ads@example.com", name="Kids")
    services.profile_opt_out_of_all(profile=kids, actor=services.Actor(source=Source.ADMIN, acting_user=staff))


def open_history_by_keyboard(page, say) -> None:
    """From the top of the Account page, Tab until the history link has focus, then Enter."""
    page.goto("/account/")
    link = page.get_by_role("link", name=say("Privacy history: every change of your choices"))
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the privacy history link is not in the keyboard's tab order")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name=say("Privacy history"))).to_be_visible()


def changes(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator("ol.history-list > li").all_inner_texts()]


@pytest.mark.usefixtures("history_of_the_demo_member")
@pytest.mark.parametrize("language", LANGUAGES)
def test_member_opens_filters_and_downloads_the_history__R_HIST_1_R_I18N_1(page, say, language):
    open_history_by_keyboard(page, say)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=2, name=changes_heading(language, 11))).to_be_visible()
    shown = changes(page)
    ba, mic = say("Behavioral Advertising"), say("Matched Identifier Communications")
    turned_off = "%(choice)s turned off for %(subject)s"
    assert shown[0].startswith(say(turned_off, choice=ba, subject="Kids")), shown[0]
    assert by_in(say, "by support staff, in %(place)s, %(when)s", "California") in shown[0]
    gpc_in_california = by_in(
        say, "by the Global Privacy Control signal from your browser, in %(place)s, %(when)s", "California"
    )
    assert any(
        line.startswith(say(turned_off, choice=mic, subject="Sam")) and gpc_in_california in line for line in shown
    ), shown
    signal = say("Global Privacy Control signal received for %(subject)s", subject="Sam")
    assert any(line.startswith(signal) for line in shown), shown
    assert "admin@example.com" not in page.content()

    page.get_by_label(say("Show changes for")).select_option(label="Sam")
    page.get_by_role("button", name=say("Show"), exact=True).press("Enter")
    expect(page.get_by_role("heading", level=2, name=changes_heading(language, 5))).to_be_visible()
    sam_only = changes(page)
    assert all("Sam" in line.split(" — ")[0] for line in sam_only), sam_only
    expect(page.get_by_label(say("Show changes for"))).to_have_value(re.compile("[0-9a-f-]{36}"))

    with page.expect_download() as download_info:
        page.get_by_role("link", name=say("Download as CSV")).click()
    download = download_info.value
    assert re.fullmatch(r"privacy-history-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert [row["description"] for row in rows] == sam_only, "the download is in the page's language"
    assert {row["profile"] for row in rows} == {"Sam"}


@pytest.mark.usefixtures("history_of_the_demo_member")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_filter_works_without_javascript__R_HIST_1_R_I18N_1(browser, live_server, say, language):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale=language)
    page = context.new_page()
    sign_in(page, language=language)
    page.goto("/account/privacy-history/")
    page.get_by_label(say("Show changes for")).select_option(label=say("The account itself and its devices"))
    page.get_by_role("button", name=say("Show"), exact=True).click()
    expect(page.get_by_role("heading", level=2, name=changes_heading(language, 0))).to_be_visible()
    expect(page.get_by_text(say("No changes here yet."))).to_be_visible()
    context.close()


@pytest.mark.usefixtures("history_of_the_demo_member")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 740}])
def test_history_has_no_wcag_22_aa_violations_and_is_looked_at__R_HIST_1_R_I18N_1(page, viewport, language):
    page.set_viewport_size(viewport)
    for url in ("/account/privacy-history/", "/account/privacy-history/?profile=account", "/account/"):
        page.goto(url)
        assert_accessible(page, f"{url} ({language})", viewport["width"])
    page.goto("/account/privacy-history/")
    page.screenshot(path=SCREENSHOTS / f"privacy-history-{language}-{viewport['width']}.png", full_page=True)
