"""Every member page makes a fixed, pinned number of queries, the same with one profile and with five (docs/rules.md,
Qualities).

Cold: nothing in the shared cache (common.cache), what a request costs on a fresh cache or inside a
transaction, where the cache is never used; an ordinary `db` test runs in a transaction, so it measures exactly
that. The session comes from the cache in both (cached_db sessions keep it there from sign-in on).

Warm: a `transactional_db` test, so the first request really fills the shared cache and the next one reads the
signed-in account (Django's authentication asks for it on every request), its profiles, its stored choices and
the rules from it: a member page then makes no query of its own.
"""

from http import HTTPStatus
from typing import cast

import pytest
from django.urls import reverse

from accounts.models import Account
from tests.factories import AccountFactory, ProfileFactory
from tests.helpers import LANGUAGES, watching, words

# page: (cold queries, warm queries, what they are cold)
PAGES = {
    "home": (4, 0, "account (with phone), profiles, jurisdictions, cookie registry"),
    "profiles": (3, 0, "account (with phone), profiles, jurisdictions (the banner's words)"),
    "profile_add": (
        4,
        0,
        "account (with phone), profiles (header), jurisdictions (the banner's words), stored choices (the "
        "account-wide notice)",
    ),
    "phone": (3, 0, "account (with phone), profiles (header), jurisdictions (the banner's words)"),
    "account": (4, 0, "account (with phone), profiles, jurisdictions (the banner's words), stored choices"),
    "privacy": (4, 0, "account (with phone), profiles, jurisdictions (the banner's words), stored choices"),
    "emails": (4, 0, "account (with phone), profiles, jurisdictions (the banner's words), stored choices"),
    "texts": (4, 0, "account (with phone), profiles (header), jurisdictions (the banner's words), stored choices"),
    # Read afresh each time, so one query warm: the page's events with their count in the same query (a window
    # COUNT; with 10 and 1,000 events in tests/consent/test_privacy_history.py), the devices with their reported
    # settings (each a subquery of the device's row; tests/consent/test_member_devices.py).
    "history": (
        4,
        1,
        "account (with phone), profiles, the page's events and their count, jurisdictions (the banner's words)",
    ),
    "devices": (
        4,
        1,
        "account (with phone), devices with their reported settings, profiles (header), jurisdictions (the "
        "banner's words)",
    ),
}
URLS = {
    "privacy": "consent:privacy",
    "emails": "consent:emails",
    "texts": "consent:texts",
    "history": "consent:history",
    "devices": "consent:devices",
}


def member_page(client, page: str, profiles: int) -> str:
    """A member with `profiles` profiles, signed in and watching as the primary one; the page's URL."""
    account = cast(Account, AccountFactory(primary_profile_name="Alex"))
    for _ in range(profiles - 1):
        ProfileFactory(account=account)
    watching(client, account, "Alex")
    args = [account.profiles.get(is_primary=True).pk] if page in {"privacy", "emails"} else []
    return reverse(URLS.get(page, page), args=args)


def get_counted(client, count_queries, url: str, language: str = "en"):
    with count_queries() as queries:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert words(language, "Watching as %(name)s", name="Alex") in html, "the header's active profile is among them"
    return queries


@pytest.mark.django_db
@pytest.mark.parametrize("profiles", [1, 5])
@pytest.mark.parametrize("page", PAGES)
def test_member_page_makes_a_pinned_number_of_queries_with_nothing_cached(client, count_queries, page, profiles):
    url = member_page(client, page, profiles)
    queries = get_counted(client, count_queries, url)
    expected, _, what = PAGES[page]
    assert expected <= 4
    assert len(queries) == expected, f"expected {expected} ({what}), got:\n{queries}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rules")
@pytest.mark.parametrize("profiles", [1, 5])
@pytest.mark.parametrize("page", PAGES)
def test_member_page_reads_the_shared_cache_once_it_is_filled(client, count_queries, page, profiles):
    url = member_page(client, page, profiles)
    cold = get_counted(client, count_queries, url)
    warm = get_counted(client, count_queries, url)
    cold_expected, expected, _ = PAGES[page]
    assert len(cold) == cold_expected, f"the first request fills the cache:\n{cold}"
    assert len(warm) == expected, f"expected {expected}, got:\n{warm}"
    assert len(warm) < len(cold)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_member_page_makes_the_same_queries_in_either_language__R_I18N_1(client, count_queries, page, language):
    """The language comes from the request (and the account already read): no query of its own."""
    url = member_page(client, page, 1)
    queries = get_counted(client, count_queries, url, language)
    expected, _, what = PAGES[page]
    assert len(queries) == expected, f"expected {expected} ({what}) in {language}, got:\n{queries}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rules")
@pytest.mark.parametrize("profiles", [1, 5])
def test_the_privacy_page_reads_who_turned_the_account_wide_opt_out_on_once_then_from_the_cache(
    client, count_queries, profiles
):
    """R-PDS-4: while "Opt all profiles out of all" is in force the page says who turned it on: one more query,
    its latest event, only in that state and kept in the shared cache like the stored choices."""
    url = member_page(client, "privacy", profiles)
    client.post(url, {"action": "opt_all_profiles"})
    cold = get_counted(client, count_queries, url)
    warm = get_counted(client, count_queries, url)
    assert len(cold) == PAGES["privacy"][0] + 1, f"the latest event of the account-wide opt-out:\n{cold}"
    assert len(warm) == 0, f"expected 0, got:\n{warm}"
