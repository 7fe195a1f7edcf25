"""R-API-3: a change feed lets a downstream system keep its own copy: every change of a profile's effective
eligibility, with the profile's answer, in an order it follows with a cursor; a cursor older than the retention
(R-AU-3) is 410 Gone; the feed's pages are limited per token; whatever a caller sends, never a server error."""

import json
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts import services as account_services
from accounts.models import Account, Plan
from consent import selectors, services
from consent.choices import Choice, Source
from consent.models import EligibilityChange
from tests.helpers import ReadQueryCounter, actor, any_text, profile_named, register_device

TOKEN = "test-service-token-0123456789"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
NUMBER = "+14155550123"


def head(client) -> str:
    response = client.get("/api/v1/changes/cursor", **AUTH)
    assert response.status_code == HTTPStatus.OK
    return response.json()["cursor"]


def page(client, after: str | None = None, limit: int | None = None) -> dict:
    params = {k: v for k, v in {"after": after, "limit": limit}.items() if v is not None}
    response = client.get("/api/v1/changes", params, **AUTH)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def follow(client, after: str, limit: int = 1000) -> tuple[list[dict], str]:
    """Every entry after `after`, page by page, and the cursor to continue from."""
    seen: list[dict] = []
    while True:
        got = page(client, after, limit)
        seen += got["changes"]
        after = got["next"]
        if not got["more"]:
            return seen, after


def profiles_in(entries: list[dict]) -> list[str]:
    return [entry["profile"] for entry in entries]


def ids(account: Account, *names: str) -> set[str]:
    return {str(profile_named(account, name).pk) for name in names}


ALL = ("Alex", "Sam", "Kids")


# What makes an entry ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_members_change_is_an_entry_with_the_new_answer__R_API_3(client, ads_account):
    after = head(client)
    sam = profile_named(ads_account, "Sam")
    services.profile_set_choices(profile=sam, values={Choice.MIC: False}, actor=actor(Source.MEMBER))
    entries, _ = follow(client, after)
    assert profiles_in(entries) == [str(sam.pk)]
    answer = entries[0]["answer"]
    assert answer["profile"] == str(sam.pk)
    assert answer["mic"] is False
    assert answer["choices"]["mic"] is False
    assert answer == client.get("/api/v1/eligibility", {"profile": str(sam.pk)}, **AUTH).json()


def _signal(account: Account) -> None:
    services.signal_apply(account=account, active_profile=profile_named(account, "Alex"), actor=actor(Source.GPC))


def _staff(account: Account) -> None:
    services.account_opt_all_profiles_out(account=account, from_profile=None, actor=actor(Source.ADMIN))


def _unsubscribe(account: Account) -> None:
    services.profile_unsubscribe(profile=profile_named(account, "Sam"), category=Choice.EMAIL_OFFERS)


def _stop(account: Account) -> None:
    account_services.phone_set(account=account, number=NUMBER)
    services.texts_stop(number=NUMBER)


def _plan(account: Account) -> None:
    account_services.account_set_plan(account=account, plan=Plan.PREMIUM, acting_user=None)


def _kids(account: Account) -> None:
    account_services.profile_set_kids(profile=profile_named(account, "Sam"), is_kids=True, acting_user=None)


def _phone_added(account: Account) -> None:
    account_services.phone_set(account=account, number=NUMBER)


def _phone_deleted(account: Account) -> None:
    account_services.phone_set(account=account, number=NUMBER)
    account_services.phone_delete(account=account)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "profiles"),
    [
        (_signal, ALL),
        (_staff, ALL),
        (_unsubscribe, ("Sam",)),
        (_stop, ALL),
        (_plan, ALL),
        (_kids, ("Sam",)),
        (_phone_added, ALL),
        (_phone_deleted, ALL),
    ],
    ids=["signal", "staff", "unsubscribe", "stop", "plan", "kids", "phone-added", "phone-deleted"],
)
def test_every_kind_of_change_of_eligibility_is_in_the_feed__R_API_3(client, ads_account, change, profiles):
    after = head(client)
    change(ads_account)
    entries, _ = follow(client, after)
    assert set(profiles_in(entries)) == ids(ads_account, *profiles)
    for entry in entries:  # each with the answer the API gives now
        assert entry["answer"] == client.get("/api/v1/eligibility", {"profile": entry["profile"]}, **AUTH).json()


@pytest.mark.django_db
def test_the_answers_follow_the_text_categories_with_the_phone__R_API_3(client, ads_account):
    after = head(client)
    _phone_added(ads_account)
    entries, after = follow(client, after)
    assert all(entry["answer"]["choices"]["sms_offers"] is True for entry in entries)
    services.texts_stop(number=NUMBER)
    entries, _ = follow(client, after)
    assert len(entries) == len(ALL)
    assert all(entry["answer"]["choices"]["sms_offers"] is False for entry in entries)


@pytest.mark.django_db
def test_a_new_profile_is_in_the_feed__R_API_3(client, ads_account):
    after = head(client)
    added = account_services.profile_create(account=ads_account, name="Robin", acting_user=None)
    entries, _ = follow(client, after)
    assert profiles_in(entries) == [str(added.pk)]
    assert entries[0]["answer"]["mic"] is True


@pytest.mark.django_db
def test_a_devices_settings_are_not_a_profiles_change__R_API_3(client, ads_account):
    device = register_device(ads_account)
    after = head(client)
    services.device_register(
        account=ads_account,
        device=device,
        platform=device.platform,
        advertising_id="",
        limit_ad_tracking=True,
        notifications=False,
        acting_user=ads_account,
    )
    assert follow(client, after)[0] == []


@pytest.mark.django_db
def test_nothing_changed_writes_no_entry__R_API_3(client, ads_account):
    sam = profile_named(ads_account, "Sam")
    services.profile_set_choices(profile=sam, values={Choice.MIC: False}, actor=actor(Source.MEMBER))
    after = head(client)
    services.profile_set_choices(profile=sam, values={Choice.MIC: False}, actor=actor(Source.MEMBER))
    assert follow(client, after)[0] == []


@pytest.mark.django_db
def test_a_deleted_profile_is_an_entry_and_answers_null__R_API_3(client, ads_account):
    sam = profile_named(ads_account, "Sam")
    after = head(client)
    services.profile_set_choices(profile=sam, values={Choice.MIC: False}, actor=actor(Source.MEMBER))
    sam_id = str(sam.pk)
    sam.delete()
    entries, _ = follow(client, after)
    assert [(entry["profile"], entry["answer"]) for entry in entries] == [(sam_id, None), (sam_id, None)]


@pytest.mark.django_db
def test_a_deleted_account_is_an_entry_for_each_of_its_profiles__R_API_3(client, ads_account):
    expected = ids(ads_account, *ALL)
    after = head(client)
    ads_account.delete()
    entries, _ = follow(client, after)
    assert set(profiles_in(entries)) == expected
    assert len(entries) == len(ALL)
    assert all(entry["answer"] is None for entry in entries)


# Following it ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_follow_every_entry_once_in_order__R_API_3(client, ads_account):
    start = head(client)
    for name in ("Alex", "Sam", "Alex", "Kids", "Sam"):
        profile = profile_named(ads_account, name)
        value = not client.get("/api/v1/eligibility", {"profile": str(profile.pk)}, **AUTH).json()["mic"]
        services.profile_set_choices(profile=profile, values={Choice.MIC: value}, actor=actor(Source.MEMBER))
    first = page(client, start, limit=2)
    assert len(first["changes"]) == 2
    assert first["more"] is True
    assert first["next"] == first["changes"][-1]["cursor"]
    entries, end = follow(client, start, limit=2)
    assert [e["profile"] for e in entries] == [
        str(profile_named(ads_account, n).pk) for n in ("Alex", "Sam", "Alex", "Kids", "Sam")
    ]
    assert len({e["cursor"] for e in entries}) == 5
    assert end == entries[-1]["cursor"] == head(client)
    again = page(client, end)
    assert again == {"changes": [], "next": end, "more": False}


@pytest.mark.django_db
def test_without_a_cursor_the_feed_starts_at_the_beginning__R_API_3(client, ads_account):
    everything = page(client, limit=1000)["changes"]
    assert EligibilityChange.objects.count() == len(everything) > 0


@pytest.mark.django_db
def test_a_feed_page_costs_the_same_queries_however_many_entries__R_API_3(client, ads_account):
    start = head(client)
    _plan(ads_account)
    with ReadQueryCounter() as few:
        assert len(page(client, start)["changes"]) == 3
    for value in [False, True] * 5:
        services.profile_set_choices(
            profile=profile_named(ads_account, "Alex"), values={Choice.MIC: value}, actor=actor(Source.MEMBER)
        )
    with ReadQueryCounter() as many:
        assert len(page(client, start)["changes"]) > 10
    # The page, the purge's horizon, and its profiles' answers (consent.eligibility.answers): on PostgreSQL one
    # query (the stored choices as arrays), elsewhere two (the profiles with account and phone, their choices).
    answers = 1 if connection.vendor == "postgresql" else 2
    assert len(few) == len(many) == 2 + answers, f"{few}\n--\n{many}"
    with ReadQueryCounter() as cursor:
        head(client)
    assert len(cursor) == 2, f"the newest complete entry, the horizon:\n{cursor}"


# Refusals ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/changes", "/api/v1/changes/cursor"])
def test_the_feed_needs_the_service_token__R_API_3(client, url):
    assert client.get(url).status_code == HTTPStatus.UNAUTHORIZED
    assert client.get(url, HTTP_AUTHORIZATION="Bearer wrong").status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"after": "x"},
        {"after": "1.2.3"},
        {"after": "-1.2"},
        {"after": f"{2**63}.1"},
        {"after": "\u0661.\u0661"},  # Arabic-Indic digits: a regex \d matches them and int() reads them
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "many"},
    ],
)
def test_a_malformed_cursor_or_limit_is_400__R_API_3(client, params):
    response = client.get("/api/v1/changes", params, **AUTH)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"]
    assert all(
        str(value) not in json.dumps(response.json()["errors"]) for value in params.values() if len(str(value)) > 2
    )


@pytest.mark.django_db
def test_pages_beyond_the_limit_per_second_are_429__R_API_3(client):
    with (
        override_settings(PRIVACY_FEED_PAGES_PER_SECOND=2),
        time_machine.travel(datetime(2026, 12, 2, tzinfo=UTC), tick=False) as clock,
    ):
        assert client.get("/api/v1/changes", **AUTH).status_code == HTTPStatus.OK
        assert client.get("/api/v1/changes/cursor", **AUTH).status_code == HTTPStatus.OK
        refused = client.get("/api/v1/changes", **AUTH)
        assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert refused["Retry-After"] == "1"
        assert refused.json()["detail"]
        clock.shift(timedelta(seconds=1.5))
        assert client.get("/api/v1/changes", **AUTH).status_code == HTTPStatus.OK


# Retention (R-AU-3) ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_purge_removes_old_entries_and_old_cursors_are_410__R_API_3(client, ads_account):
    sam = profile_named(ads_account, "Sam")
    with time_machine.travel(datetime(2026, 1, 5, 12, tzinfo=UTC), tick=False):
        old_cursor = head(client)
        services.profile_set_choices(profile=sam, values={Choice.MIC: False}, actor=actor(Source.MEMBER))
    with time_machine.travel(datetime(2028, 1, 4, 12, tzinfo=UTC), tick=False):
        kept_from = head(client)
        services.profile_set_choices(profile=sam, values={Choice.MIC: True}, actor=actor(Source.MEMBER))
    with time_machine.travel(datetime(2028, 1, 6, 12, tzinfo=UTC), tick=False):
        call_command("purge_consent_events", "--batch-size", "2", stdout=StringIO())
        assert EligibilityChange.objects.filter(created_at__lt=datetime(2026, 1, 6, 12, tzinfo=UTC)).count() == 0
        for stale in (old_cursor, None):
            gone = client.get("/api/v1/changes", {"after": stale} if stale else {}, **AUTH)
            assert gone.status_code == HTTPStatus.GONE
            assert "rebuild" in gone.json()["detail"]
        entries, _ = follow(client, kept_from)
        assert profiles_in(entries) == [str(sam.pk)]
        assert head(client) >= kept_from


@pytest.mark.django_db
def test_a_purge_while_a_page_is_read_is_410_never_a_page_without_the_purged_entries__R_API_3(
    client, ads_account, monkeypatch
):
    """R-API-3, R-AU-3: the purge (another process) deletes entries after the consumer's cursor between the
    feed's check of the cursor and its read of the page: the answer is 410 (rebuild), never a page that silently
    lacks the deleted entries."""
    sam = profile_named(ads_account, "Sam")
    with time_machine.travel(datetime(2026, 1, 5, 12, tzinfo=UTC), tick=False):
        cursor = head(client)
        services.profile_set_choices(profile=sam, values={Choice.MIC: False}, actor=actor(Source.MEMBER))
    with time_machine.travel(datetime(2028, 1, 4, 12, tzinfo=UTC), tick=False):
        services.profile_set_choices(profile=sam, values={Choice.MIC: True}, actor=actor(Source.MEMBER))
    read_page = selectors.feed_page

    def purged_meanwhile(**kwargs):
        call_command("purge_consent_events", "--batch-size", "2", stdout=StringIO())
        return read_page(**kwargs)

    monkeypatch.setattr(selectors, "feed_page", purged_meanwhile)
    with time_machine.travel(datetime(2028, 1, 6, 12, tzinfo=UTC), tick=False):
        response = client.get("/api/v1/changes", {"after": cursor}, **AUTH)
    assert response.status_code == HTTPStatus.GONE, response.json()
    assert "rebuild" in response.json()["detail"]


# Whatever is sent --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    after=st.one_of(st.none(), any_text, st.from_regex(r"\A\d{1,20}\.\d{1,20}\Z")),
    limit=st.one_of(st.none(), any_text, st.integers(min_value=-(2**70), max_value=2**70).map(str)),
)
def test_any_cursor_and_limit_get_an_answer_never_a_server_error__R_API_3(client, after, limit):
    params = {k: v for k, v in {"after": after, "limit": limit}.items() if v is not None}
    with override_settings(PRIVACY_FEED_PAGES_PER_SECOND=1000):
        response = client.get("/api/v1/changes", params, **AUTH)
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.GONE}
    assert response["Content-Type"].startswith("application/json")
