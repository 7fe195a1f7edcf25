"""R-AU-3: consent events are kept at least 24 calendar months (not 730 days: a leap day makes that shorter);
`purge_consent_events` removes older ones only, in bounded batches."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from consent import policy
from consent.choices import Choice, Source
from consent.models import ConsentEvent

LEAP_DAY = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)
# 24 calendar months before the leap day: 2026 has no 29 February, so the month's last day.
LEAP_DAY_CUTOFF = datetime(2026, 2, 28, 12, 0, tzinfo=UTC)


def _event(account, *, at: datetime) -> ConsentEvent:
    return ConsentEvent.objects.create(
        account=account, choice=Choice.MIC, old_value=True, new_value=False, source=Source.MEMBER, created_at=at
    )


# These tests' events were written directly, without the feed's entries (tests/consent/test_change_feed.py).
NO_FEED_ENTRIES = "Removed 0 change feed entries created before then.\n"


def _purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_consent_events", *args, stdout=out)
    return out.getvalue()


def _remaining() -> list[tuple]:
    return list(ConsentEvent.objects.order_by("created_at", "id").values_list("created_at", "choice", "source"))


@pytest.mark.parametrize(
    ("now", "cutoff"),
    [
        (LEAP_DAY, LEAP_DAY_CUTOFF),
        (datetime(2028, 3, 1, 0, 0, tzinfo=UTC), datetime(2026, 3, 1, 0, 0, tzinfo=UTC)),
        (datetime(2026, 2, 28, 23, 30, tzinfo=UTC), datetime(2024, 2, 28, 23, 30, tzinfo=UTC)),  # not the 29th
        (datetime(2026, 3, 31, 8, 0, tzinfo=UTC), datetime(2024, 3, 31, 8, 0, tzinfo=UTC)),
        (datetime(2027, 1, 1, 0, 0, tzinfo=UTC), datetime(2025, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_the_cutoff_is_the_same_moment_24_calendar_months_earlier__R_AU_3(now, cutoff):
    assert policy.event_purge_cutoff(now) == cutoff


def test_on_a_leap_day_730_days_is_less_than_24_calendar_months__R_AU_3():
    assert policy.event_purge_cutoff(LEAP_DAY) < LEAP_DAY - timedelta(days=730)


@pytest.mark.time_machine(LEAP_DAY, tick=False)
@pytest.mark.django_db
def test_on_a_leap_day_an_event_23_months_28_days_old_survives_and_one_past_24_months_goes__R_AU_3(ads_account):
    starting = _remaining()  # the account's starting values, written "now"
    assert {created_at for created_at, *_ in starting} == {LEAP_DAY}
    _event(ads_account, at=LEAP_DAY - timedelta(days=730))  # 2026-03-01: 23 months 28 days old
    _event(ads_account, at=LEAP_DAY_CUTOFF)  # exactly 24 calendar months (731 days) old: kept
    _event(ads_account, at=LEAP_DAY_CUTOFF - timedelta(seconds=1))
    _event(ads_account, at=datetime(2020, 1, 1, tzinfo=UTC))

    output = _purge()

    assert output == "Removed 2 consent event(s) created before 2026-02-28T12:00:00+00:00.\n" + NO_FEED_ENTRIES
    assert _remaining() == [
        (LEAP_DAY_CUTOFF, Choice.MIC, Source.MEMBER),
        (datetime(2026, 3, 1, 12, 0, tzinfo=UTC), Choice.MIC, Source.MEMBER),
        *starting,
    ]


@pytest.mark.time_machine(datetime(2026, 2, 28, 12, 0, tzinfo=UTC), tick=False)
@pytest.mark.django_db
def test_on_28_february_the_leap_day_two_years_before_is_kept__R_AU_3(ads_account):
    starting = _remaining()
    _event(ads_account, at=datetime(2024, 2, 29, 0, 0, tzinfo=UTC))
    _event(ads_account, at=datetime(2024, 2, 28, 12, 0, tzinfo=UTC))
    _event(ads_account, at=datetime(2024, 2, 28, 11, 59, tzinfo=UTC))

    assert _purge() == "Removed 1 consent event(s) created before 2024-02-28T12:00:00+00:00.\n" + NO_FEED_ENTRIES
    assert _remaining() == [
        (datetime(2024, 2, 28, 12, 0, tzinfo=UTC), Choice.MIC, Source.MEMBER),
        (datetime(2024, 2, 29, 0, 0, tzinfo=UTC), Choice.MIC, Source.MEMBER),
        *starting,
    ]


@pytest.mark.time_machine(LEAP_DAY, tick=False)
@pytest.mark.django_db
def test_purge_deletes_in_bounded_batches_until_done__R_AU_3(ads_account, count_queries):
    starting = _remaining()
    _event(ads_account, at=LEAP_DAY - timedelta(days=1))
    for day in range(7):
        _event(ads_account, at=LEAP_DAY_CUTOFF - timedelta(days=day + 1))

    with count_queries() as queries:
        output = _purge("--batch-size", "3")

    assert output == "Removed 7 consent event(s) created before 2026-02-28T12:00:00+00:00.\n" + NO_FEED_ENTRIES
    assert _remaining() == [(LEAP_DAY - timedelta(days=1), Choice.MIC, Source.MEMBER), *starting]
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 3 + 3 + 1, each its own statement


@pytest.mark.time_machine(LEAP_DAY, tick=False)
@pytest.mark.django_db
def test_purge_with_nothing_old_removes_nothing__R_AU_3(ads_account):
    starting = _remaining()
    assert _purge() == "Removed 0 consent event(s) created before 2026-02-28T12:00:00+00:00.\n" + NO_FEED_ENTRIES
    assert _remaining() == starting


@pytest.mark.time_machine(LEAP_DAY, tick=False)
@pytest.mark.django_db
def test_retention_purge_is_the_one_deletion_and_keeps_what_is_younger__R_AU_3(ads_account):
    assert ConsentEvent.objects.purge_before(policy.event_purge_cutoff(LEAP_DAY)) == 0
    assert ConsentEvent.objects.purge_before(LEAP_DAY + timedelta(seconds=1)) == 6
    assert not ConsentEvent.objects.exists()
