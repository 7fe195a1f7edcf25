#!/usr/bin/env python
"""The eligibility API at volume, on PostgreSQL: batches of 1,000 real profiles through gunicorn (2 workers), next
to the floor in the same run, and single lookups at a steady 200 requests a second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/privacy_bench_api .venv/bin/python bench/api.py \\
        [--accounts 100000] [--batches 200] [--single-seconds 15]

- **Floor**: the same facts (each profile with its plan, kids and primary flags, whether its account has a phone,
  and its own and its account's stored choices) fetched for 1,000 ids by ONE raw SQL query through psycopg and
  written with `json.dumps`, in this process: what any API over these tables must at least do.
- **API batch**: `POST /api/v1/eligibility/batch` with 1,000 distinct, real profile ids (a new random set each
  time), one client after another (latency) and two clients at once (throughput of both workers); the workers'
  CPU seconds (from /proc) per batch.
- **Single lookups**: `GET /api/v1/eligibility?profile=…` sent at 200 a second on a fixed schedule (open loop, so
  a slow answer does not slow the sending), p50 and p99 of the latency.

Fills the (bench-only!) database — its name must contain "bench"; it is emptied — with synthetic accounts by SQL:
one to three profiles each (a kids profile in one account in seven), half on the ad plan, the MIC and BA rows a new
profile gets, one profile in ten with MIC off, one in eight with BA off, one in five without offers email, one in
twenty covered by the signal, a phone on one account in three with one in four of those without text surveys.
Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOST, PORT = "127.0.0.1", 8766
TOKEN = "bench-token-" + "x" * 32
BATCH = 1000

SEED = """
TRUNCATE consent_pushmessage, consent_apptoken, consent_choicevalue, consent_consentevent, consent_device,
         accounts_phonenumber, accounts_profile, accounts_account RESTART IDENTITY CASCADE;
INSERT INTO accounts_account (password, is_superuser, email, plan, region, is_staff, is_active, date_joined)
    SELECT '!', false, 'member' || n || '@example.com',
           CASE WHEN n %% 2 = 0 THEN 'standard_with_ads' ELSE 'standard' END, 'US-CA', false, true, now()
    FROM generate_series(1, %(n)s) AS n;
INSERT INTO accounts_profile (id, account_id, slot, name, is_kids, is_primary, created_at)
    SELECT gen_random_uuid(), a.id, s, 'P' || s, s = 3 AND a.id %% 7 = 0, s = 1, now()
    FROM accounts_account a CROSS JOIN generate_series(1, 3) AS s WHERE s <= 1 + a.id %% 3;
INSERT INTO consent_choicevalue (account_id, profile_id, choice, value, updated_at)
    SELECT p.account_id, p.id, c.choice,
           CASE c.choice WHEN 'mic' THEN hashtext(p.id::text) %% 10 <> 0
                         WHEN 'ba' THEN hashtext(p.id::text) %% 8 <> 1 ELSE true END, now()
    FROM accounts_profile p CROSS JOIN (VALUES ('mic'), ('ba')) AS c (choice);
INSERT INTO consent_choicevalue (account_id, profile_id, choice, value, updated_at)
    SELECT p.account_id, p.id, 'email_offers', false, now() FROM accounts_profile p
    WHERE hashtext(p.id::text) %% 5 = 2;
INSERT INTO consent_choicevalue (account_id, profile_id, choice, value, updated_at)
    SELECT p.account_id, p.id, 'signal_received', true, now() FROM accounts_profile p
    WHERE hashtext(p.id::text) %% 20 = 3;
INSERT INTO accounts_phonenumber (account_id, number, updated_at)
    SELECT id, '+1415' || (2000000 + id %% 8000000), now() FROM accounts_account WHERE id %% 3 = 0;
INSERT INTO consent_choicevalue (account_id, profile_id, choice, value, updated_at)
    SELECT id, NULL, 'sms_surveys', false, now() FROM accounts_account WHERE id %% 12 = 0;
ANALYZE;
"""

# The floor's one query: every fact the answer needs, for a set of profile ids.
FLOOR = """
SELECT p.id::text, p.is_kids, p.is_primary, a.plan, ph.id IS NOT NULL,
       ARRAY(SELECT v.choice || ':' || v.value::int FROM consent_choicevalue v
             WHERE v.account_id = p.account_id AND v.device_id IS NULL
               AND (v.profile_id = p.id OR v.profile_id IS NULL))
FROM accounts_profile p JOIN accounts_account a ON a.id = p.account_id
LEFT JOIN accounts_phonenumber ph ON ph.account_id = p.account_id
WHERE p.id = ANY(%s::uuid[])
"""


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "PRIVACY_API_TOKEN": TOKEN,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "CACHE_URL": os.environ.get("CACHE_URL", "locmemcache://"),
    }


def seed(url: str, accounts: int) -> list[str]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET statement_timeout = 0")
        for statement in SEED.split(";\n"):
            if statement.strip():
                conn.execute(statement, {"n": accounts})
        return [row[0] for row in conn.execute("SELECT id::text FROM accounts_profile")]


def floor(url: str, batches: list[list[str]]) -> list[tuple[float, float]]:
    """(seconds, CPU seconds of this process) per batch: one raw query, then json.dumps of its rows."""
    import psycopg

    times = []
    with psycopg.connect(url) as conn:
        for ids in batches:
            began, cpu = time.perf_counter(), time.process_time()
            rows = conn.execute(FLOOR, (ids,)).fetchall()
            body = json.dumps({"results": rows})
            assert len(rows) == len(ids)
            assert body
            conn.rollback()
            times.append((time.perf_counter() - began, time.process_time() - cpu))
    return times


def worker_cpu(server: subprocess.Popen) -> float:
    """CPU seconds (user + system) of gunicorn's workers so far (Linux /proc)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def post_batches(batches: list[list[str]], clients: int) -> tuple[list[float], float]:
    """Latencies and the wall time of sending these batches with `clients` keep-alive clients at once."""
    latencies: list[float] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    bodies = [json.dumps({"profiles": ids}) for ids in batches]

    def client(mine: list[str]) -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        for body in mine:
            began = time.perf_counter()
            conn.request("POST", "/api/v1/eligibility/batch", body=body, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - began  # the answer's bytes are in: reading them is the client's cost
            answered = json.loads(body)
            assert response.status == 200, response.status
            assert len(answered["results"]) == BATCH
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(bodies[n::clients],)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - began


def singles(ids: list[str], rate: float, seconds: float) -> list[float]:
    """Latencies of single lookups sent on a fixed schedule of `rate` a second (8 sending threads)."""
    latencies: list[float] = []
    lock = threading.Lock()
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def sender(offset: int, step: int) -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        for n in range(offset, total, step):
            due = start + n / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            conn.request("GET", f"/api/v1/eligibility?profile={ids[n % len(ids)]}", headers=headers)
            response = conn.getresponse()
            response.read()
            done = time.perf_counter()
            assert response.status == 200, response.status
            with lock:
                latencies.append(done - due)  # from when it was due: waiting for a free sender counts

    threads = [threading.Thread(target=sender, args=(n, 8)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(latencies)


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--single-seconds", type=float, default=15)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in url:
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench' (it is emptied).")
    OUT.mkdir(exist_ok=True)
    env = environment()
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    profiles = seed(url, args.accounts)
    rng = random.Random(18)  # noqa: S311  # which profiles a batch asks for, reproducibly
    batches = [rng.sample(profiles, BATCH) for _ in range(args.batches)]
    warm = [rng.sample(profiles, BATCH) for _ in range(10)]

    log = (OUT / "api-gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"{HOST}:{PORT}"),
            *("--access-logfile", "/dev/null", "--log-level", "warning", "netflix_privacy.wsgi"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        post_batches(warm, 2)
        floor(url, warm)

        floor_times = floor(url, batches)
        cpu_before = worker_cpu(server)
        one_by_one, _ = post_batches(batches, 1)
        cpu_per_batch = (worker_cpu(server) - cpu_before) / len(batches)
        both, wall = post_batches(batches, 2)
        single = singles(profiles, 200, args.single_seconds)
    finally:
        server.terminate()
        server.wait(timeout=10)

    floor_ms = statistics.median(t for t, _ in floor_times) * 1000
    floor_cpu_ms = statistics.median(c for _, c in floor_times) * 1000
    api_ms = statistics.median(one_by_one) * 1000
    print(
        f"PostgreSQL, {args.accounts} accounts, {len(profiles)} profiles; batches of {BATCH} real profiles, "
        f"{len(batches)} of each kind; gunicorn -w 2"
    )
    print(f"{'what':<44} {'ms/batch p50':>12} {'p95':>8} {'CPU ms':>8} {'decisions/s':>12}")
    floor_sorted = sorted(t for t, _ in floor_times)
    print(
        f"{'floor: one raw query + json.dumps':<44} {floor_ms:>12.1f} {percentile(floor_sorted, 0.95) * 1000:>8.1f} "
        f"{floor_cpu_ms:>8.1f} {BATCH / (floor_ms / 1000):>12.0f}"
    )
    one_sorted = sorted(one_by_one)
    print(
        f"{'API batch, one client':<44} {api_ms:>12.1f} {percentile(one_sorted, 0.95) * 1000:>8.1f} "
        f"{cpu_per_batch * 1000:>8.1f} {BATCH / (api_ms / 1000):>12.0f}"
    )
    both_sorted = sorted(both)
    print(
        f"{'API batch, two clients (both workers)':<44} {statistics.median(both) * 1000:>12.1f} "
        f"{percentile(both_sorted, 0.95) * 1000:>8.1f} {'':>8} {len(both) * BATCH / wall:>12.0f}"
    )
    print(f"API / floor throughput, one client: {floor_ms / api_ms:.2f}x")
    print(
        f"single lookups at 200 req/s for {args.single_seconds:.0f} s ({len(single)} requests): "
        f"p50 {percentile(single, 0.5) * 1000:.1f} ms, p99 {percentile(single, 0.99) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
