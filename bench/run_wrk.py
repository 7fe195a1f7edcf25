#!/usr/bin/env python
"""Requests per second of the member pages under gunicorn (2 workers, production settings), measured with wrk,
next to a stock Django project (bench/stock/) with the same database, session backend and gunicorn, in one run.

    .venv/bin/python bench/run_wrk.py [--duration 5] [--connections 8] [--rounds 3]

Needs wrk (apt-get install wrk). Each project gets its own SQLite file in a temporary folder (migrated; the project
seeded with the demo data, the stock project given one user); the stock project keeps connections open
(CONN_MAX_AGE=600), the project uses its production default. A session is created in-process for a signed-in
user (the project's member also chooses a profile on "Who's watching?", as a new member does), and its cookies,
with the csrftoken a browser would send back, go in wrk's Cookie header. Query counts are measured in-process
with CaptureQueriesContext. Servers listen on 127.0.0.1 only and are stopped by this script; every wait is
bounded.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MEMBER = "ads@example.com"
STOCK_USER = "stock@example.com"
CONN_MAX_AGE = 600
WARMUP_SECONDS = 2

# (label, server, path or a key filled in by `prepare`, text the response must contain, how it is asked for):
# "member" sends the signed-in member's cookies, "visitor" none, "member+gpc" the cookies and `Sec-GPC: 1`.
PAGES = [
    ("stock: login-required bare view", "stock", "/bare/", "ok", "member"),
    ("stock: login-required template page", "stock", "/page/", "Signed in as", "member"),
    ("project: bare view (its middleware)", "project", "/bench/bare/", "ok", "member"),
    ("project: bare view, no signal middleware", "nosignal", "/bench/bare/", "ok", "member"),
    ("project: /account/", "project", "/account/", "Membership &amp; Billing", "member"),
    ("project: privacy page", "project", "{privacy}", "Privacy and data settings", "member"),
    ("project: privacy page, repeated signal", "project", "{privacy}", "signal honored", "member+gpc"),
    ("project: / (landing, signed in)", "project", "/", "Your privacy, your choices", "member"),
    ("project: /profiles/ (Who's watching?)", "project", "/profiles/", "Who's watching?", "member"),
    ("project: /profiles/add/", "project", "/profiles/add/", "Add profile", "member"),
    ("project: /account/phone/", "project", "/account/phone/", "Change phone number", "member"),
    ("project: email preferences", "project", "{emails}", "Email preferences", "member"),
    ("project: /account/texts/", "project", "/account/texts/", "Text message preferences", "member"),
    ("project: /cookies/ for a visitor", "project", "/cookies/", "Cookie preferences", "visitor"),
]
BASELINE = "stock: login-required template page"
GPC_HEADER = {"Sec-GPC": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def environments(tmp: Path, cache_url: str | None) -> dict[str, dict[str, str]]:
    common = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    envs = {
        "project": {
            **common,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            # No conn_max_age here: the project's own default is what a new deployment gets.
            "DATABASE_URL": f"sqlite:///{tmp / 'project.sqlite3'}",
            # Plain HTTP on loopback: no redirect to HTTPS, no HSTS header (cookies stay Secure; wrk ignores that).
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "BENCH_STATIC_ROOT": str(tmp / "static"),
            # The shared cache: the embedded default (Django's database cache, in the same SQLite file) unless
            # --cache-url names one (Redis: production's).
            **({"CACHE_URL": cache_url} if cache_url else {}),
        },
        "nosignal": {},  # filled below: the project's environment with the signal middleware left out
        "stock": {
            **common,
            "DJANGO_SETTINGS_MODULE": "bench.stock.settings",
            "STOCK_DATABASE_PATH": str(tmp / "stock.sqlite3"),
            "STOCK_CONN_MAX_AGE": str(CONN_MAX_AGE),
        },
    }
    envs["nosignal"] = {**envs["project"], "DJANGO_SETTINGS_MODULE": "bench.settings_without_signal"}
    return envs


def django(env: dict[str, str], *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, timeout=300, capture_output=capture, text=True
    )
    return result.stdout if capture else ""


# --- in-process part: runs in a subprocess with the project's or the stock project's settings ---------------------


def prepare(project: str) -> None:
    """Create the signed-in session, count each page's queries, print JSON (cookie, paths, query counts)."""
    import django as django_module

    django_module.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(SERVER_NAME=HOST)
    paths: dict[str, str] = {}
    if project == "stock":
        user = get_user_model().objects.create_user(username=STOCK_USER, password=secrets.token_urlsafe(12))
        client.force_login(user)
    else:
        from accounts.models import Account

        account = Account.objects.get(email=MEMBER)
        client.force_login(account)
        primary = account.profiles.get(is_primary=True)
        # "Who's watching?": the member chooses the primary profile, as after every sign-in.
        assert client.post("/profiles/", {"profile": str(primary.pk)}).status_code == 302
        paths["privacy"] = primary.get_absolute_url()
        paths["emails"] = reverse("consent:emails", kwargs={"profile": primary.pk})

    queries: dict[str, str] = {}
    for label, owner, path, _, asked in PAGES:
        if owner != project:
            continue
        path = path.format(**paths)
        asker = Client(SERVER_NAME=HOST) if asked == "visitor" else client
        headers = {"HTTP_SEC_GPC": "1"} if asked == "member+gpc" else {}
        # The first request consumes the message and applies the signal, the second fills the caches after what the
        # signal wrote: the third is the one the load repeats. With the embedded database cache, its reads are queries.
        asker.get(path, **headers)
        asker.get(path, **headers)
        with CaptureQueriesContext(connection) as captured:
            response = asker.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code)
        cache_reads = sum(1 for query in captured.captured_queries if "django_cache" in query["sql"])
        queries[label] = f"{len(captured)}" + (f" ({cache_reads} cache)" if cache_reads else "")
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items() if morsel.value)
    conn_max_age = connection.settings_dict["CONN_MAX_AGE"]
    print(json.dumps({"cookie": cookie, "paths": paths, "queries": queries, "conn_max_age": conn_max_age}))


# --- load part ------------------------------------------------------------------------------------------------------


def wait_until_up(port: int, server: subprocess.Popen, deadline: float = 30) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited with {server.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn on port {port} did not start within {deadline}s")


def request_headers(cookie: str, asked: str) -> dict[str, str]:
    headers = {} if asked == "visitor" else {"Cookie": cookie}
    return {**headers, **(GPC_HEADER if asked == "member+gpc" else {})}


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def check(port: int, path: str, headers: dict[str, str], marker: str) -> None:
    """wrk counts a redirect to the login page as a success: make sure the page itself is what gets served."""
    status, body = get(port, path, headers)
    if status != 200 or marker not in body:
        raise RuntimeError(f"{path} on port {port}: HTTP {status}, expected 200 with {marker!r}")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a gunicorn master and its workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for process in (pid, *map(int, children)):
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def wrk(
    port: int, path: str, headers: dict[str, str], *, duration: int, connections: int, pid: int
) -> dict[str, float]:
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "5s",
        *header_args,
        f"http://{HOST}:{port}{path}",
    ]
    cpu_before = server_cpu_seconds(pid)
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 30).stdout
    cpu = server_cpu_seconds(pid) - cpu_before
    if "Non-2xx or 3xx responses" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk reported errors for {path}:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        # The servers' own CPU time per request: what the page costs, whatever else runs on the machine.
        "cpu_ms": cpu * 1000 / requests,
    }
    for name, pct in (("p50_ms", "50%"), ("p99_ms", "99%")):
        value, unit = re.search(rf"^\s+{pct}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE).groups()
        result[name] = float(value) * UNITS[unit]
    return result


def start_gunicorn(module: str, port: int, env: dict[str, str], tmp: Path) -> subprocess.Popen:
    log = (tmp / f"gunicorn-{port}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"{HOST}:{port}", "--log-level", "warning", module],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page and round (default 5)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all pages (default 3); medians are shown")
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=0,
        metavar="SECONDS",
        help="before loading, wait up to this long for the 1-minute load average to drop below 1.5 (default 0)",
    )
    parser.add_argument(
        "--cache-url",
        default=None,
        help="the project's CACHE_URL (default: the embedded database cache); e.g. redis://127.0.0.1:6379/9",
    )
    parser.add_argument("--prepare", choices=["stock", "project"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare)
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install wrk")

    tmp = Path(tempfile.mkdtemp(prefix="privacy-bench-"))
    envs = environments(tmp, args.cache_url)
    servers: list[subprocess.Popen] = []
    try:
        manage = str(ROOT / "manage.py")
        django(envs["project"], manage, "migrate", "--no-input", "-v", "0")
        django(envs["project"], manage, "seed_demo", capture=True)
        django(envs["project"], manage, "collectstatic", "--no-input", "-v", "0")
        stock_manage = ["-m", "django"]
        django(envs["stock"], *stock_manage, "migrate", "--no-input", "-v", "0")
        prepared = {
            name: json.loads(django(envs[name], __file__, "--prepare", name, capture=True).strip().splitlines()[-1])
            for name in ("stock", "project")
        }
        prepared["nosignal"] = prepared["project"]  # the same database, member and session
        names = ("stock", "project", "nosignal")
        ports = {name: free_port() for name in names}
        modules = {"stock": "bench.stock.wsgi", "project": "netflix_privacy.wsgi", "nosignal": "netflix_privacy.wsgi"}
        for name in names:
            servers.append(start_gunicorn(modules[name], ports[name], envs[name], tmp))
        for name, server in zip(names, servers, strict=True):
            wait_until_up(ports[name], server)
        pids = {name: server.pid for name, server in zip(names, servers, strict=True)}

        rows = []
        for label, owner, path, marker, asked in PAGES:
            path = path.format(**prepared[owner]["paths"])
            headers = request_headers(prepared[owner]["cookie"], asked)
            rows.append((label, owner, path, marker, headers))
            check(ports[owner], path, headers, marker)
            wrk(
                ports[owner],
                path,
                headers,
                duration=WARMUP_SECONDS,
                connections=args.connections,
                pid=pids[owner],
            )

        quiet_by = time.monotonic() + args.wait_quiet
        while os.getloadavg()[0] >= 1.5 and time.monotonic() < quiet_by:
            time.sleep(5)
        load_before = os.getloadavg()[0]
        project_conn_max_age = prepared["project"]["conn_max_age"]
        results: dict[str, list[dict[str, float]]] = {label: [] for label, *_ in rows}
        for round_number in range(args.rounds):
            # Every other round in reverse order, so that a drift in machine load does not favour one side.
            for label, owner, path, marker, headers in rows if round_number % 2 == 0 else rows[::-1]:
                results[label].append(
                    wrk(
                        ports[owner],
                        path,
                        headers,
                        duration=args.duration,
                        connections=args.connections,
                        pid=pids[owner],
                    )
                )
                check(ports[owner], path, headers, marker)
        for runs in results.values():
            for run, base in zip(runs, results[BASELINE], strict=True):
                run["ratio"] = run["rps"] / base["rps"]
                run["cpu_ratio"] = base["cpu_ms"] / run["cpu_ms"]

        median = {label: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for label, runs in results.items()}
        print(
            f"\nwrk -t1 -c{args.connections} -d{args.duration}s, {args.rounds} round(s), medians; gunicorn -w 2 sync, "
            f"production settings, SQLite CONN_MAX_AGE stock {CONN_MAX_AGE}, project {project_conn_max_age}; "
            f"sessions: stock database, project cached_db on {args.cache_url or 'the embedded database cache'}; "
            f"{os.cpu_count()} cores, load average before {load_before:.2f}"
        )
        print(
            f"{'page':<40} {'req/s':>7} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7} {'ratio':>6} "
            f"{'queries':>15}"
        )
        for label, owner, _, _, _ in rows:
            m = median[label]
            queries = prepared[owner]["queries"].get(label, "")
            print(
                f"{label:<40} {m['rps']:>7.0f} {m['ratio']:>5.2f}x {m['p50_ms']:>7.2f} {m['p99_ms']:>7.2f} "
                f"{m['cpu_ms']:>7.3f} {m['cpu_ratio']:>5.2f}x {queries:>15}"
            )
        print(
            "ratio: req/s over the stock login-required template page's in the same round; CPU ms: the gunicorn\n"
            "processes' CPU time per request, and its ratio (stock template page's CPU ms / this page's), which\n"
            "holds when other work shares the machine. Medians over rounds."
        )
        on, off = median["project: bare view (its middleware)"], median["project: bare view, no signal middleware"]
        print(
            f"signal middleware on/off, bare view without the header: {on['rps'] / off['rps']:.3f}x req/s, "
            f"{off['cpu_ms'] / on['cpu_ms']:.3f}x CPU"
        )
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
