#!/usr/bin/env python
"""Marketing email at scale: `manage.py send_marketing_email` enqueues and sends to N generated profiles, with
the tasks run in-process (Django's immediate task backend) and Django's locmem email backend, so the figure is our
code (eligibility, signing the unsubscribe link, building the message) and not a queue or an SMTP server.

    .venv/bin/python bench/comms.py [--profiles 100000]

Uses a SQLite file in bench/out/ (emptied). One profile per account, one in ten with the category off. Each
measurement runs in its own process, so its peak resident memory (ru_maxrss) is its own. The locmem outbox is
emptied after each batch (bench.comms_backend), as a real backend keeps nothing: otherwise the figure would be
the outbox's size, not the sender's.
"""

import argparse
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DB = OUT / "comms.sqlite3"

CHILD = """
import resource, sys, time, django
django.setup()
from io import StringIO
from django.core.management import call_command
from bench import comms_backend
began = time.perf_counter()
call_command("send_marketing_email", "--category", "email_offers", "--no-progress", stdout=StringIO())
print(comms_backend.SENT, time.perf_counter() - began, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.comms_settings",
        "DATABASE_URL": f"sqlite:///{DB}",
        "PYTHONPATH": str(ROOT),
    }


def seed(profiles: int) -> None:
    with sqlite3.connect(DB) as conn:
        for table in ("consent_consentevent", "consent_choicevalue", "accounts_profile", "accounts_account"):
            conn.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
        conn.executemany(
            "INSERT INTO accounts_account (id, password, is_superuser, email, plan, region, is_staff, is_active,"
            " date_joined) VALUES (?, '!', 0, ?, 'standard', 'US-CA', 0, 1, '2026-01-01')",
            ((n, f"member{n}@example.com") for n in range(1, profiles + 1)),
        )
        ids = [(uuid.uuid4().hex, n) for n in range(1, profiles + 1)]
        conn.executemany(
            "INSERT INTO accounts_profile (id, account_id, slot, name, is_kids, is_primary, created_at)"
            " VALUES (?, ?, 1, 'P', 0, 1, '2026-01-01')",
            ids,
        )
        conn.executemany(
            "INSERT INTO consent_choicevalue (account_id, profile_id, choice, value, updated_at)"
            " VALUES (?, ?, 'email_offers', 0, '2026-01-01')",
            ((n, pid) for pid, n in ids if n % 10 == 0),
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=100_000)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    DB.unlink(missing_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=environment(), check=True
    )
    print(f"{'profiles':>9} {'sent':>8} {'s':>7} {'messages/s':>11} {'peak MB':>8}")
    for profiles in (args.profiles // 10, args.profiles):
        seed(profiles)
        done = subprocess.run(
            [sys.executable, "-c", CHILD], cwd=ROOT, env=environment(), check=True, capture_output=True, text=True
        )
        sent, seconds, maxrss = done.stdout.split()[-3:]
        rate = int(sent) / float(seconds)
        print(f"{profiles:>9} {int(sent):>8} {float(seconds):>7.1f} {rate:>11.0f} {int(maxrss) / 1024:>8.1f}")


if __name__ == "__main__":
    main()
