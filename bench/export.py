#!/usr/bin/env python
"""The MIC audience export on PostgreSQL: rows/s and peak memory of `manage.py export_mic_audience`, next to a
plain `COPY` of the same hashed email column computed in the database and to the export's Python path (every row
hashed in Python, as on SQLite), at two account counts (memory must stay flat as accounts grow). The export's
rows must be the Python path's rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacy_bench .venv/bin/python bench/export.py [--accounts 100000]

Fills the (bench-only!) database with synthetic accounts by SQL: one to three profiles each, one account in ten
with a profile opted out of MIC, one in three with a (valid) phone. One email in 2,000 has capitals and one in
2,000 a non-ASCII letter, one phone in 10,000 is stored in national format: the rows the export hashes in Python.
Each measurement runs in its own process, so its peak resident memory (ru_maxrss) is its own.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

SEED = """
TRUNCATE consent_pushmessage, consent_apptoken, consent_choicevalue, consent_consentevent, consent_device,
         accounts_phonenumber, accounts_profile, accounts_account RESTART IDENTITY CASCADE;
INSERT INTO accounts_account (password, is_superuser, email, plan, region, is_staff, is_active, date_joined)
    SELECT '!', false, CASE n %% 2000 WHEN 1 THEN 'Member' || n || '@Example.com'
                            WHEN 1001 THEN 'mémber' || n || '@example.com'
                            ELSE 'member' || n || '@example.com' END, 'standard', 'US-CA', false, true, now()
    FROM generate_series(1, %(n)s) AS n;
INSERT INTO accounts_profile (id, account_id, slot, name, is_kids, is_primary, created_at)
    SELECT gen_random_uuid(), a.id, s, 'P' || s, false, s = 1, now()
    FROM accounts_account a CROSS JOIN generate_series(1, 3) AS s WHERE s <= 1 + a.id %% 3;
INSERT INTO consent_choicevalue (account_id, profile_id, choice, value, updated_at)
    SELECT p.account_id, p.id, 'mic', NOT (p.account_id %% 10 = 0 AND p.slot = 1), now() FROM accounts_profile p;
INSERT INTO accounts_phonenumber (account_id, number, updated_at)
    SELECT id, CASE WHEN id %% 30000 = 3 THEN '(415) 200-' || lpad((id %% 10000)::text, 4, '0')
                    ELSE '+1415' || (2000000 + id %% 8000000) END, now()
    FROM accounts_account WHERE id %% 3 = 0;
ANALYZE;
"""

COPY = """
COPY (
    SELECT encode(sha256(convert_to(a.email, 'UTF8')), 'hex') FROM accounts_account a
    WHERE a.is_active AND EXISTS (SELECT 1 FROM accounts_profile p WHERE p.account_id = a.id)
      AND NOT EXISTS (SELECT 1 FROM accounts_profile p JOIN consent_choicevalue v ON v.profile_id = p.id
                      WHERE p.account_id = a.id AND v.choice = 'mic' AND NOT v.value)
    ORDER BY a.id
) TO STDOUT
"""

CHILD_EXPORT = """
import resource, sys, time, django
django.setup()
from django.core.management import call_command
began = time.perf_counter()
call_command("export_mic_audience", "--out", sys.argv[1], "--no-progress")
print(time.perf_counter() - began, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

CHILD_PYTHON = """
import csv, resource, sys, time, django
django.setup()
from consent.management.commands.export_mic_audience import HEADER, _snapshot, audience_rows
began = time.perf_counter()
with _snapshot(), open(sys.argv[1], "w", newline="") as out:
    writer = csv.writer(out, lineterminator="\\n")
    writer.writerow(HEADER)
    writer.writerows(audience_rows())
print(time.perf_counter() - began, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

CHILD_COPY = """
import os, resource, sys, time, psycopg
began = time.perf_counter()
with psycopg.connect(os.environ["DATABASE_URL"]) as conn, open(sys.argv[1], "wb") as out:
    with conn.cursor().copy(sys.argv[2]) as copy:
        for chunk in copy:
            out.write(chunk)
print(time.perf_counter() - began, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def environment() -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "netflix_privacy.settings.local", "PYTHONPATH": str(ROOT)}


def child(code: str, *args: str) -> tuple[float, int]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=environment(), check=True, capture_output=True, text=True
    )
    seconds, maxrss = done.stdout.split()[-2:]
    return float(seconds), int(maxrss)


def seed(accounts: int) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("SET statement_timeout = 0")
        for statement in SEED.split(";\n"):
            if statement.strip():
                conn.execute(statement, {"n": accounts})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in url:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench' (it is emptied).")
    OUT.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=environment(), check=True
    )
    print(f"{'accounts':>9} {'what':<28} {'rows':>8} {'s':>7} {'rows/s':>9} {'peak MB':>8}")
    for accounts in (args.accounts // 10, args.accounts):
        seed(accounts)
        rate, files = {}, {}
        for name, code, extra in (
            ("export_mic_audience", CHILD_EXPORT, ()),
            ("COPY of the hashed email", CHILD_COPY, (COPY,)),
            ("Python path (all rows)", CHILD_PYTHON, ()),
        ):
            files[name] = target = OUT / f"audience-{accounts}-{name.split()[0].lower()}.csv"
            seconds, maxrss_kb = child(code, str(target), *extra)
            rows = sum(1 for _ in target.open()) - (0 if name.startswith("COPY") else 1)
            rate[name] = rows / seconds
            print(f"{accounts:>9} {name:<28} {rows:>8} {seconds:>7.2f} {rows / seconds:>9.0f} {maxrss_kb / 1024:>8.1f}")
        same = sorted(files["export_mic_audience"].open()) == sorted(files["Python path (all rows)"].open())
        ratio = rate["export_mic_audience"] / rate["COPY of the hashed email"]
        print(
            f"{accounts:>9} export / COPY rows/s: {ratio:.2f}x; same rows as the Python path: {'yes' if same else 'NO'}"
        )


if __name__ == "__main__":
    main()
