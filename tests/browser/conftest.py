"""Playwright driving Debian's Chromium against the live test server.

Locally the tests skip when no Chromium is found; in CI a skip fails the run (tests/conftest.py).
"""

import os
import shutil
from functools import partial
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.helpers import LANGUAGES, words

__all__ = ["LANGUAGES"]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here are still
# synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(shipped_rules) -> None:
    """The demo data, with the jurisdictions and cookie registry a migration ships."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def language() -> str:
    """The browser's language (its Accept-Language): English unless a test parametrizes it, as the flows that
    run in both languages do with @pytest.mark.parametrize("language", LANGUAGES) (R-I18N-1)."""
    return "en"


@pytest.fixture
def say(language):
    """The words a page shows in the test's language, from the catalog the site uses: say("Sign in"),
    say("Watching as %(name)s", name="Alex"), say("Main", context="navigation")."""
    return partial(words, language)


@pytest.fixture
def page(browser, live_server, demo, language):
    context = browser.new_context(base_url=live_server.url, locale=language)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def shipped_cookie_registry(shipped_rules) -> None:
    """The whole cookie registry the migrations ship, in English and Spanish (R-CK-1, R-I18N-1): the rows added
    after the first data migration and the Spanish texts of migration 0013 (a transactional test empties every
    table when it ends, so a test that reads them loads them again)."""
    import importlib

    from django.apps import apps as django_apps

    for migration in ("0008_known_browser_cookie", "0012_language_cookie", "0013_cookie_spanish_texts"):
        importlib.import_module(f"consent.migrations.{migration}").load(django_apps, None)
