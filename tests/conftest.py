"""Hooks, the Hypothesis profiles and the fixtures every test may use; plain helpers are in tests/helpers.py."""

import importlib
import os
from typing import cast

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from accounts.models import Account, Plan
from common import replica
from common.sms import backends
from tests.factories import AccountFactory, ProfileFactory, StaffFactory
from tests.helpers import QueryCounter

# Every test fails if its flow logged personal or secret data (tests/log_guard.py).
pytest_plugins = ["tests.log_guard"]

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

# Hypothesis: a quick profile for local runs, the full one in CI. HYPOTHESIS_PROFILE picks one by name.
hypothesis_settings.register_profile("dev", max_examples=50)
hypothesis_settings.register_profile("ci", max_examples=500)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
hypothesis_settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not replica.configured():
        # Without a replica these tests cannot run at all: deselected (not skipped, which CI counts as a failure).
        # .ci/with_replica starts one and runs them.
        unrunnable = [item for item in items if "replica" in item.keywords]
        if unrunnable:
            config.hook.pytest_deselected(items=unrunnable)
            items[:] = [item for item in items if "replica" not in item.keywords]
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config: pytest.Config) -> str:
    examples = hypothesis_settings.get_profile(HYPOTHESIS_PROFILE).max_examples
    return f"Hypothesis profile: {HYPOTHESIS_PROFILE} ({examples} examples per property)"


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


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's default language: LocaleMiddleware activates a request's language for the
    thread and leaves it active, so a Spanish request would otherwise change what a later test renders outside a
    request (R-I18N-1)."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def sms_outbox():
    """The text messages sent during the test (common.sms's locmem backend), empty at its start."""
    backends.outbox.clear()
    yield backends.outbox
    backends.outbox.clear()


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


@pytest.fixture
def count_queries():
    return QueryCounter
