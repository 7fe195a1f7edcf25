"""R-MIC-1, R-MIC-2: the audience export lists hashed identifiers of accounts whose profiles all allow MIC."""

import csv
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, Plan
from accounts.normalize import normalize_email
from consent import policy, selectors, services
from consent.choices import REGISTRY, Choice, always
from consent.identifiers import hash_email, hash_phone, sha256_hex
from consent.management.commands.export_mic_audience import audience_rows, audience_rows_by_id, copy_digest_lines
from tests.factories import AccountFactory, ProfileFactory, StaffFactory
from tests.helpers import actor, profile_named


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

    # One statement, streamed (COPY on PostgreSQL, a SELECT read in chunks on SQLite): one snapshot, flat memory.
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


# PostgreSQL: the database hashes the rows whose stored identifiers are already normalised (COPY, no Python per
# row); Python hashes the others. The file must be the one the Python path writes.


def _raw_update(sql: str, *params: str | int) -> None:
    """Stored values the application would never write (it normalises first): old or hand-edited rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def stored_forms(audience):
    """Accounts in the audience whose stored email or phone only Python hashes, and some that are not in it."""
    accounts = {
        "plain_phoned": AccountFactory(email="plain@example.com", phone="+442071838750"),
        "accented": AccountFactory(email="Jos\u00e9@Ex\u00e4mple.com", phone="+14155550124"),  # stored normalised
        "capitals": AccountFactory(email="capitals@example.com"),
        "padded": AccountFactory(email="padded@example.com", phone="+14155550125"),
        "fullwidth": AccountFactory(email="fullwidth@example.com"),
        "national": AccountFactory(email="national@example.com", phone="+14155550126"),
        "spaced": AccountFactory(email="spaced@example.com", phone="+14155550127"),
        "inactive": AccountFactory(email="inactive@example.com"),
        "out_capitals": AccountFactory(email="out-capitals@example.com"),
    }
    ProfileFactory(account=accounts["out_capitals"], name="Off")
    off = profile_named(accounts["out_capitals"], "Off")
    services.profile_set_choices(profile=off, values={Choice.MIC: False}, actor=actor())
    for name, email in {
        "capitals": "Capitals.Raw@Example.COM",
        "padded": "  padded@example.com ",
        "fullwidth": "\uff46\uff55\uff4c\uff4cwidth@example.com",
        "inactive": "Inactive@Example.com",
        "out_capitals": "Out-Capitals@Example.com",
    }.items():
        _raw_update("UPDATE accounts_account SET email = %s WHERE id = %s", email, accounts[name].pk)
    _raw_update("UPDATE accounts_account SET is_active = false WHERE id = %s", accounts["inactive"].pk)
    for name, number in {"national": "(415) 555-0126", "spaced": "+1 415 555 0127"}.items():
        _raw_update("UPDATE accounts_phonenumber SET number = %s WHERE account_id = %s", number, accounts[name].pk)
    return audience | accounts


def _python_path() -> list[tuple[str, str]]:
    """What the export wrote before PostgreSQL hashed, and still writes on SQLite: every row hashed in Python."""
    return sorted(audience_rows())


@pytest.mark.postgres
@pytest.mark.django_db
def test_export_on_postgresql_writes_the_python_paths_rows__R_MIC_1_R_MIC_2(stored_forms):
    rows = _rows(_export())
    assert sorted(rows) == _python_path()
    assert len(rows) == len(set(rows)) == 9  # ads, phoned, and 7 of the 9 above
    assert (hash_email("capitals.raw@example.com"), "") in rows
    assert (hash_email("padded@example.com"), hash_phone("+14155550125")) in rows
    assert (hash_email("fullwidth@example.com"), "") in rows
    assert (hash_email("jos\u00e9@ex\u00e4mple.com"), hash_phone("+14155550124")) in rows
    assert (hash_email("plain@example.com"), hash_phone("+442071838750")) in rows
    assert (hash_email("spaced@example.com"), hash_phone("+14155550127")) in rows
    emails = {email for email, _ in rows}
    assert hash_email("inactive@example.com") not in emails
    assert hash_email("out-capitals@example.com") not in emails
    assert hash_email("mixed@example.com") not in emails


@pytest.mark.postgres
@pytest.mark.django_db
def test_export_on_postgresql_leaves_to_python_exactly_the_rows_not_stored_normalised__R_MIC_1(
    stored_forms, count_queries
):
    sink = BytesIO()
    written, left = copy_digest_lines(sink)
    by_python = {"accented", "capitals", "padded", "fullwidth", "national", "spaced"}
    assert sorted(left) == sorted(stored_forms[name].pk for name in by_python)
    copied = [tuple(line.split(",")) for line in sink.getvalue().decode().splitlines()]
    assert written == len(copied) == 3  # ads, phoned, plain_phoned
    assert written + len(left) == selectors.mic_audience().count()
    assert sorted(copied + list(audience_rows_by_id(left))) == _python_path()

    with count_queries() as queries:
        _export("--chunk-size", "4")
    statements = [q["sql"] for q in queries.captured_queries]
    assert len([sql for sql in statements if sql.startswith("COPY")]) == 1, statements
    assert len([sql for sql in statements if "SELECT" in sql and not sql.startswith("COPY")]) == 2, statements


@pytest.mark.postgres
@pytest.mark.django_db
def test_export_file_on_postgresql_is_the_python_paths_file__R_MIC_1(stored_forms, tmp_path):
    target = tmp_path / "audience.csv"
    call_command("export_mic_audience", "--out", str(target), stdout=StringIO(), stderr=StringIO())
    lines = target.read_bytes().split(b"\n")
    assert lines[0] == b"email_sha256,phone_sha256"
    assert lines[-1] == b""
    expected = StringIO()
    csv.writer(expected, lineterminator="\n").writerows(_python_path())
    assert sorted(lines[1:-1]) == sorted(expected.getvalue().encode().split(b"\n")[:-1])


@pytest.mark.postgres
@pytest.mark.django_db
def test_export_on_postgresql_trusts_the_check_made_when_a_number_was_stored__R_MIC_1(audience):
    """The one difference from the Python path, documented in consent.identifiers: a stored E.164 number that
    libphonenumber now calls invalid is hashed as stored (Python would leave its digest out)."""
    _raw_update("UPDATE accounts_phonenumber SET number = '+14150000000' WHERE account_id = %s", audience["phoned"].pk)
    assert (hash_email("phoned@example.com"), sha256_hex("+14150000000")) in _rows(_export())
    assert (hash_email("phoned@example.com"), "") in _python_path()


@pytest.mark.postgres
@pytest.mark.django_db
def test_progress_bar_counts_both_paths_on_postgresql(stored_forms, monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    _export()
    assert terminal.getvalue().endswith("] 9/9 accounts\n")


emails_as_stored = st.one_of(
    st.emails(),
    st.emails().map(str.upper),
    st.emails().map(lambda e: f" {e}\t"),
    st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=60),
).filter(lambda e: normalize_email(e) and len(e) <= 254)


@pytest.mark.postgres
@pytest.mark.django_db
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(email=emails_as_stored)
def test_export_on_postgresql_hashes_any_stored_email_as_python_does__R_MIC_1(audience, email):
    _raw_update("UPDATE accounts_account SET email = %s WHERE id = %s", email, audience["phoned"].pk)
    rows = _rows(_export())
    assert (hash_email(email), hash_phone("+14155550123")) in rows
    assert sorted(rows) == _python_path()
