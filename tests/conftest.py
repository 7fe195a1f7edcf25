import importlib
import os
from html.parser import HTMLParser
from typing import cast

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account, Plan, Profile
from accounts.sessions import ACTIVE_PROFILE_KEY
from consent import selectors, services
from consent.choices import Choice, Source
from consent.models import ConsentEvent
from tests.factories import AccountFactory, ProfileFactory, StaffFactory

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test (no PostgreSQL, no Chromium) is a failure, not a pass."""
    if not os.environ.get("CI") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and reporter:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; in CI every test must run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty shared cache (sessions, throttles, kept rules and facts)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shipped_rules(transactional_db) -> None:
    """The jurisdictions and cookie registry the data migration ships. A transactional test empties every table
    when it ends, so a later one loads them again."""
    importlib.import_module("consent.migrations.0005_load_jurisdictions_and_cookies").load(django_apps, None)


@pytest.fixture
def ads_account(db) -> Account:
    """Ad-supported plan: Alex (primary), Sam, Kids (kids profile)."""
    account = cast(Account, AccountFactory(plan=Plan.STANDARD_WITH_ADS, primary_profile_name="Alex"))
    ProfileFactory(account=account, name="Sam")
    ProfileFactory(account=account, name="Kids", is_kids=True)
    return account


def profile_named(account: Account, name: str) -> Profile:
    return Profile.objects.select_related("account").get(account=account, name=name)


def watching(client, account: Account, name: str):
    """The client signed in as the account, with the named profile chosen on "Who's watching?"."""
    client.force_login(account)
    session = client.session
    session[ACTIVE_PROFILE_KEY] = str(profile_named(account, name).pk)
    session.save()
    return client


@pytest.fixture
def staff(db) -> Account:
    return cast(Account, StaffFactory())


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def member_client(client, ads_account):
    client.force_login(ads_account)
    return client


def values_of(profile: Profile) -> dict[str, bool]:
    """A profile's current values as the pages see them (rows, defaults filled in), read afresh."""
    account = Account.objects.get(pk=profile.account_id)
    return dict(selectors.profile_facts(profile=profile, account=account).values)


def mic_ba(account: Account) -> list[tuple[str, bool, bool]]:
    """(name, MIC, BA) for every profile of the account, in slot order."""
    return [(p.name, values_of(p)[Choice.MIC], values_of(p)[Choice.BA]) for p in account.profiles.order_by("slot")]


def all_opted_out(account: Account) -> bool:
    return selectors.all_profiles_opted_out(account=account)


def actor(source: Source = Source.MEMBER, user: Account | None = None, **fields) -> services.Actor:
    return services.Actor(source=source, acting_user=user, **fields)


def events_since(mark: int) -> list[tuple]:
    """Consent events written after `mark` (an event id), oldest first, as comparable tuples."""
    return list(
        ConsentEvent.objects.filter(id__gt=mark)
        .order_by("id")
        .values_list("profile__name", "choice", "old_value", "new_value", "source", "acting_user__email")
    )


def last_event_id() -> int:
    return ConsentEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


class QueryCounter(CaptureQueriesContext):
    """Counts queries; on a mismatch the assertion message prints the SQL."""

    def __init__(self) -> None:
        super().__init__(connection)

    def __str__(self) -> str:
        return "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(self.captured_queries, 1))


@pytest.fixture
def count_queries():
    return QueryCounter


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []  # the id of each open element (None without one)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in {"input", "select", "textarea", "button"}:
            self.controls.append({"tag": tag, **attributes})
        if tag not in VOID_ELEMENTS:
            self._open.append(attributes.get("id"))
            if attributes.get("id"):
                self.text_by_id[str(attributes["id"])] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_ELEMENTS and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in filter(None, self._open):
            self.text_by_id[element_id] += data


def controls(html: str) -> list[dict[str, str | None]]:
    """Every form control of a page (input, select, textarea, button) as its attributes, in page order;
    `None` is the value of an attribute written without one (`checked`, `disabled`)."""
    parser = _Controls()
    parser.feed(html)
    return parser.controls


def description(html: str, name: str) -> str:
    """What a screen reader reads as the description of the control named `name`: the text of the elements its
    aria-describedby names (help text, errors)."""
    parser = _Controls()
    parser.feed(html)
    ids = str(control(html, name).get("aria-describedby") or "").split()
    return " ".join(" ".join(parser.text_by_id.get(each, "").split()) for each in ids)


def control(html: str, name: str, *, type_: str | None = None) -> dict[str, str | None]:
    """The page's one control named `name` (of `type_`, if given), as its attributes."""
    found = [c for c in controls(html) if c.get("name") == name and (type_ is None or c.get("type") == type_)]
    assert len(found) == 1, f"{len(found)} controls named {name!r}: {found}"
    return found[0]


def switches(html: str) -> dict[str, bool]:
    """The page's switches (role="switch") as a screen reader finds them: name to checked."""
    return {str(c["name"]): "checked" in c for c in controls(html) if c.get("role") == "switch"}
