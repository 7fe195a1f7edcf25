#!/usr/bin/env python
"""Requests per second of the Privacy and data settings page under gunicorn (2 workers), next to a bare view
with the same middleware, in the same run.

    .venv/bin/python bench/privacy_page.py [--requests 3000] [--concurrency 4]

Uses SQLite in bench/out/ unless DATABASE_URL is set. Traffic goes to 127.0.0.1 only; every loop is bounded.
"""

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
HOST, PORT = "127.0.0.1", 8765


def environment() -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    env.setdefault("DATABASE_URL", f"sqlite:///{OUT / 'bench.sqlite3'}")
    return env


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment(), check=True)


def request(conn: http.client.HTTPConnection, method: str, path: str, headers: dict, body: str | None = None):
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response, response.read()


def sign_in() -> str:
    """Sign in as the demo member over HTTP; return the Cookie header for the session."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    response, body = request(conn, "GET", "/login/", {})
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": "ads@example.com", "password": "demo-pass-1234"}
    )
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}"}
    response, _ = request(conn, "POST", "/login/", headers, form)
    session = next(c.split(";")[0] for c in response.msg.get_all("Set-Cookie") if c.startswith("sessionid="))
    return f"{cookie}; {session}"


def privacy_path(cookie: str) -> str:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    _, body = request(conn, "GET", "/account/", {"Cookie": cookie})
    return re.search(rb'href="(/account/profiles/[0-9a-f-]+/privacy/)"', body).group(1).decode()


def load(path: str, cookie: str, total: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = total // concurrency

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
        mine = []
        for _ in range(per_thread):
            start = time.perf_counter()
            response, _ = request(conn, "GET", path, {"Cookie": cookie})
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
        "requests": len(latencies),
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
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"{HOST}:{PORT}",
            "--log-level",
            "warning",
            "netflix_privacy.wsgi",
        ],
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
        cookie = sign_in()
        pages = {"bare view (same middleware)": "/bench/bare/", "privacy page": privacy_path(cookie)}
        for path in pages.values():
            load(path, cookie, 200, args.concurrency)  # warm-up
        print(
            f"gunicorn -w 2, {args.requests} requests, {args.concurrency} keep-alive clients, "
            f"{environment()['DATABASE_URL'].split(':')[0]}"
        )
        print(f"{'page':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for name, path in pages.items():
            result = load(path, cookie, args.requests, args.concurrency)
            print(f"{name:<30} {result['rps']:>8.0f} {result['p50_ms']:>8.2f} {result['p95_ms']:>8.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
