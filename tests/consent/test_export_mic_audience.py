"""R-MIC-1, R-MIC-2: the audience export lists hashed identifiers of accounts whose profiles all allow MIC."""

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Account, Plan
from consent import policy, selectors, services
from consent.choices import REGISTRY, Choice, always
from consent.identifiers import hash_email, hash_phone
from tests.conftest import actor, profile_named
from tests.factories import AccountFactory, ProfileFactory, StaffFactory


def _export(*args: str) -> str:
    out = StringIO()
    call_command("export_mic_audience", "--out", "-", *args, stdout=out)
    return out.getvalue()


def _rows(text: str) -> list[tuple[str, str]]:
    reader = csv.reader(StringIO(text))
    assert next(reader) == ["email_sha256", "phone_sha256"]
    return [(email, phone) for email, phone in reader]


@pytest.fixture
def audience(ads_account):
    """ads (3 profiles, all on), one with a profile opted out, one with every profile out, staff (no profile)."""
    mixed = AccountFactory(email="mixed@example.com", plan=Plan.STANDARD)
    ProfileFactory(account=mixed, name="Off")
    services.profile_set_choices(profile=profile_named(mixed, "Off"), values={Choice.MIC: False}, actor=actor())
    out = AccountFactory(email="out@example.com")
    services.profile_opt_out_of_all(profile=profile_named(out, "Alex"), actor=actor())
    StaffFactory(email="staff@example.com")
    phoned = AccountFactory(email=" Phoned@Example.com", phone="+14155550123")
    return {"ads": ads_account, "mixed": mixed, "out": out, "phoned": phoned}


@pytest.mark.django_db
def test_account_with_one_opted_out_profile_is_absent_from_export__R_MIC_2(audience):
    rows = _rows(_export())
    emails = {email for email, _ in rows}
    assert hash_email(audience["ads"].email) in emails
    assert hash_email("mixed@example.com") not in emails
    assert hash_email("out@example.com") not in emails
    assert hash_email("staff@example.com") not in emails  # no profile, nothing to consent
    assert len(rows) == 2


@pytest.mark.django_db
def test_export_has_only_hashes_never_raw_email_or_phone__R_MIC_1(audience):
    text = _export()
    assert (hash_email("phoned@example.com"), hash_phone("+14155550123")) in _rows(text)
    assert (hash_email(audience["ads"].email), "") in _rows(text)
    assert "@" not in text
    assert "4155550123" not in text


@pytest.mark.django_db
def test_export_agrees_with_the_policy_on_every_account__R_MIC_2(audience):
    exported = {email for email, _ in _rows(_export())}
    for account in Account.objects.all():
        facts = selectors.profiles_facts(account=account, profiles=account.profiles.all())
        expected = bool(facts) and all(policy.mic_allowed(f) for f in facts.values())
        assert (hash_email(account.email) in exported) == expected, account.email


@pytest.mark.django_db
def test_export_follows_the_choice_back_on__R_MIC_2(audience):
    mixed = audience["mixed"]
    services.profile_set_choices(profile=profile_named(mixed, "Off"), values={Choice.MIC: True}, actor=actor())
    assert hash_email("mixed@example.com") in {email for email, _ in _rows(_export())}


@pytest.mark.django_db
def test_export_is_one_streamed_query_whatever_the_number_of_accounts__R_MIC_2(audience, count_queries):
    with count_queries() as few:
        _export("--chunk-size", "1")
    for n in range(10):
        AccountFactory(email=f"more{n}@example.com", phone=f"+1415555{n:04d}")
    with count_queries() as many:
        rows = _rows(_export("--chunk-size", "3"))
    assert len(rows) == 12

    def reads(queries):
        return [q["sql"] for q in queries.captured_queries if "SELECT" in q["sql"]]

    # One statement (a DECLAREd server-side cursor on PostgreSQL), fetched in chunks: one snapshot, flat memory.
    assert len(reads(many)) == len(reads(few)) == 1, str(many)
    assert len(many) == len(few), str(many)


@pytest.mark.django_db
def test_export_to_a_file_is_written_whole_and_private__R_MIC_1(audience, tmp_path):
    target = tmp_path / "audience.csv"
    call_command("export_mic_audience", "--out", str(target), stdout=StringIO(), stderr=StringIO())
    assert len(_rows(target.read_text())) == 2
    assert target.stat().st_mode & 0o077 == 0
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


@pytest.mark.django_db
def test_export_to_a_missing_directory_fails_cleanly(tmp_path):
    with pytest.raises(CommandError):
        call_command("export_mic_audience", "--out", str(tmp_path / "nope" / "a.csv"), stdout=StringIO())


def test_mic_applies_to_every_profile_as_the_export_query_assumes__R_MIC_2():
    assert REGISTRY[Choice.MIC].applies is always


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_progress_bar_only_on_a_terminal(audience, monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    text = _export()
    assert "2/2 accounts" in terminal.getvalue()
    assert "accounts" not in text  # the CSV itself carries no progress

    piped = StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    _export()
    assert piped.getvalue() == ""
