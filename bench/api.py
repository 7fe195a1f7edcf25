#!/usr/bin/env python
"""Requests per second of the eligibility API under gunicorn (2 workers), next to a bare view that only checks the
same bearer token, in the same run; also the batch form with 100 profiles per request.

    .venv/bin/python bench/api.py [--requests 3000] [--concurrency 4]

Uses SQLite in bench/out/ unless DATABASE_URL is set. Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOST, PORT = "127.0.0.1", 8766
TOKEN = "bench-token-" + "x" * 32
WSGI = ["netflix_privacy.wsgi"]


def environment() -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "PRIVACY_API_TOKEN": TOKEN,
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")
    return env


def manage(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment(), check=True, capture_output=True, text=True
    )
    return done.stdout


def load(method: str, path: str, body: str | None, total: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
        mine = []
        for _ in range(total // concurrency):
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, (path, response.status)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    manage("migrate", "--no-input", "-v", "0")
    manage("seed_demo")
    code = "from accounts.models import Profile; print(*Profile.objects.values_list('pk', flat=True))"
    ids = re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", manage("shell", "-c", code))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"{HOST}:{PORT}", "--log-level", "warning", *WSGI],
        cwd=ROOT,
        env=environment(),
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        # The demo has six profiles; the other 94 ids are unknown, so the request still looks up 100.
        batch = json.dumps({"profiles": [*ids, *(str(uuid.uuid4()) for _ in range(100 - len(ids)))]})
        cases = {
            "bare view (token check only)": ("GET", "/bench/bare-api/", None, args.requests),
            "GET /api/v1/eligibility": ("GET", f"/api/v1/eligibility?profile={ids[0]}", None, args.requests),
            "POST batch, 100 ids (6 known)": ("POST", "/api/v1/eligibility/batch", batch, args.requests // 10),
        }
        for method, path, body, _ in cases.values():
            load(method, path, body, 200, args.concurrency)  # warm-up
        print(
            f"gunicorn -w 2, {args.requests} requests ({args.requests // 10} for the batch), "
            f"{args.concurrency} keep-alive clients, {environment()['DATABASE_URL'].split(':')[0]}"
        )
        print(f"{'request':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for name, (method, path, body, total) in cases.items():
            result = load(method, path, body, total, args.concurrency)
            print(f"{name:<30} {result['rps']:>8.0f} {result['p50_ms']:>8.2f} {result['p95_ms']:>8.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
