#!/usr/bin/env python
"""The change feed (R-API-3) on PostgreSQL at volume: a consumer pages through 1,000,000 entries with
`GET /api/v1/changes?after=…&limit=1000`, each page with its profiles' answers, and memory must stay flat.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_feed_bench .venv/bin/python bench/feed.py [--changes 1000000]

Fills the (bench-only!) database by SQL: accounts with one to three profiles (one profile per five entries), one
profile in ten with MIC stored off, one account in three with a phone; then the entries, fifty per transaction id
(a plan change, "opt all profiles out" or STOP writes several in one transaction), all older than any running
transaction. The pages are asked in one process through Django's test client (the view, the ORM, the answers and
the JSON, without an HTTP server), with the test settings and the rate limit lifted. Reported: pages/s and
entries/s, the process's resident memory (RSS) after the first 10 pages and after the last, and its peak.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = """
TRUNCATE consent_eligibilitychange, consent_eligibilityfeedhorizon, consent_pushmessage, consent_apptoken,
         consent_choicevalue, consent_consentevent, consent_device, accounts_phonenumber, accounts_profile,
         accounts_account RESTART IDENTITY CASCADE;
INSERT INTO accounts_account (password, is_superuser, email, plan, region, is_staff, is_active, date_joined)
    SELECT '!', false, 'member' || n || '@example.com', 'standard_with_ads', 'US-CA', false, true, now()
    FROM generate_series(1, %(accounts)s) AS n;
INSERT INTO accounts_profile (id, account_id, slot, name, is_kids, is_primary, created_at)
    SELECT gen_random_uuid(), a.id, s, 'P' || s, false, s = 1, now()
    FROM accounts_account a CROSS JOIN generate_series(1, 3) AS s WHERE s <= 1 + a.id %% 3;
INSERT INTO consent_choicevalue (account_id, profile_id, choice, value, updated_at)
    SELECT p.account_id, p.id, 'mic', false, now() FROM accounts_profile p WHERE p.account_id %% 10 = 0;
INSERT INTO accounts_phonenumber (account_id, number, updated_at)
    SELECT id, '+1415' || (2000000 + id %% 8000000), now() FROM accounts_account WHERE id %% 3 = 0;
CREATE TEMPORARY TABLE bench_profiles AS
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, account_id FROM accounts_profile;
INSERT INTO consent_eligibilitychange (txid, account_id, profile_id, created_at)
    SELECT 1 + (g - 1) / 50, p.account_id, p.id, now()
    FROM generate_series(1, %(changes)s) AS g
    JOIN bench_profiles p ON p.n = (g - 1) %% (SELECT count(*) FROM bench_profiles);
ANALYZE;
"""

PAGE = 1000


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def seed(changes: int) -> None:
    import psycopg

    # Accounts with 1 to 3 profiles (2 on average): one profile per five entries.
    accounts = max(1, changes // 10)
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("SET statement_timeout = 0")
        for statement in SEED.split(";\n"):
            if statement.strip():
                conn.execute(statement, {"accounts": accounts, "changes": changes})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=1_000_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in url:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench' (it is emptied).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "netflix_privacy.settings.test")
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "60000")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    call_command("migrate", "--no-input", "-v", "0")
    began = time.perf_counter()
    seed(args.changes)
    print(f"seeded {args.changes} entries in {time.perf_counter() - began:.1f} s")

    client = Client()
    auth = {"Authorization": f"Bearer {settings.PRIVACY_API_TOKEN}"}
    after, pages, entries, rss_early = "0.0", 0, 0, 0.0
    with override_settings(PRIVACY_FEED_PAGES_PER_SECOND=10**9, ALLOWED_HOSTS=["testserver"]):
        began = time.perf_counter()
        while True:
            response = client.get("/api/v1/changes", {"after": after, "limit": str(PAGE)}, headers=auth)
            assert response.status_code == 200, response.content[:300]
            got = response.json()
            entries += len(got["changes"])
            pages += 1
            after = got["next"]
            if pages == 10:
                rss_early = rss_mb()
            if not got["more"]:
                break
        seconds = time.perf_counter() - began
    assert entries == args.changes, (entries, args.changes)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    header = ("entries", 9), ("pages", 6), ("s", 7), ("pages/s", 8), ("entries/s", 10), ("RSS@10 MB", 10)
    print(" ".join(f"{name:>{width}}" for name, width in header), f"{'RSS end MB':>11} {'peak MB':>8}")
    print(
        f"{entries:>9} {pages:>6} {seconds:>7.1f} {pages / seconds:>8.1f} {entries / seconds:>10.0f}"
        f" {rss_early:>10.1f} {rss_mb():>11.1f} {peak:>8.1f}"
    )


if __name__ == "__main__":
    main()
