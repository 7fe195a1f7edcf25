"""Every member page makes a fixed, pinned number of queries, the same with one profile and with five
(docs/performance.md). The framework's floor for a signed-in page is 2: the session and the account.
Jurisdictions and the cookie registry are cached per process for a minute, so a running server does not read them
per request."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.sessions import ACTIVE_PROFILE_KEY
from tests.factories import AccountFactory, ProfileFactory

pytestmark = pytest.mark.django_db

# page: (queries, what they are)
PAGES = {
    "home": (3, "session, account (with phone), active profile's account profiles"),
    "profiles": (3, "session, account (with phone), profiles"),
    "profile_add": (4, "session, account (with phone), profiles (header), account-wide choices (notice)"),
    "phone": (3, "session, account (with phone), profiles (header)"),
    "account": (4, "session, account (with phone), profiles, account-wide choices"),
    "privacy": (4, "session, account (with phone), profiles, stored choices"),
    "emails": (4, "session, account (with phone), profiles, stored choices"),
    "texts": (4, "session, account (with phone), profiles (header), account-wide choices"),
}
URLS = {"privacy": "consent:privacy", "emails": "consent:emails", "texts": "consent:texts"}


@pytest.mark.parametrize("profiles", [1, 5])
@pytest.mark.parametrize("page", PAGES)
def test_member_page_makes_a_pinned_number_of_queries(client, count_queries, page, profiles):
    account = AccountFactory()
    for _ in range(profiles - 1):
        ProfileFactory(account=account)
    primary = account.profiles.get(is_primary=True)
    client.force_login(account)
    session = client.session
    session[ACTIVE_PROFILE_KEY] = str(primary.pk)
    session.save()
    args = [primary.pk] if page in {"privacy", "emails"} else []
    url = reverse(URLS.get(page, page), args=args)

    client.get(url)  # a running process: the jurisdiction and cookie tables are in its cache (60 s)
    with count_queries() as queries:
        response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    assert "Watching as Alex" in response.content.decode(), "the header's active profile is among them"
    expected, what = PAGES[page]
    assert len(queries) == expected, f"expected {expected} ({what}), got:\n{queries}"
