"""R-AU-3: consent events are kept 24 months (730 days); `purge_consent_events` removes older ones only."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from consent.choices import Choice, Source
from consent.models import ConsentEvent

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _event(account, *, days_old: float) -> ConsentEvent:
    return ConsentEvent.objects.create(
        account=account,
        choice=Choice.MIC,
        old_value=True,
        new_value=False,
        source=Source.MEMBER,
        created_at=NOW - timedelta(days=days_old),
    )


def _purge(*args: str) -> str:
    out = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("purge_consent_events", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_event_729_days_old_survives_and_731_days_old_does_not__R_AU_3(ads_account):
    ConsentEvent.objects.filter(account=ads_account).purge_before(NOW + timedelta(days=1))  # the starting values
    young = _event(ads_account, days_old=729)
    edge = _event(ads_account, days_old=730 - 1 / 24)
    old = _event(ads_account, days_old=731)
    older = _event(ads_account, days_old=2000)

    output = _purge()

    remaining = set(ConsentEvent.objects.values_list("id", flat=True))
    assert remaining == {young.id, edge.id}
    assert old.id not in remaining
    assert older.id not in remaining
    assert "Removed 2 consent event(s)" in output


@pytest.mark.django_db
def test_purge_deletes_in_bounded_batches_until_done__R_AU_3(ads_account, count_queries):
    ConsentEvent.objects.filter(account=ads_account).purge_before(NOW + timedelta(days=1))
    kept = _event(ads_account, days_old=1)
    for _ in range(7):
        _event(ads_account, days_old=800)

    with count_queries() as queries:
        output = _purge("--batch-size", "3")

    assert list(ConsentEvent.objects.values_list("id", flat=True)) == [kept.id]
    assert "Removed 7 consent event(s)" in output
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 3 + 3 + 1, each its own statement


@pytest.mark.django_db
def test_purge_with_nothing_old_removes_nothing__R_AU_3(ads_account):
    before = ConsentEvent.objects.count()
    assert "Removed 0 consent event(s)" in _purge()
    assert ConsentEvent.objects.count() == before
