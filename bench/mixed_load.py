#!/usr/bin/env python
"""Mixed load of signed-in members spread over two app servers, next to the same load on one, on PostgreSQL and
Redis with production settings; every save checked against the consent event chain afterwards.

    .venv/bin/python bench/mixed_load.py [--duration 60] [--clients 8] [--members 50] [--workers 2] [--rounds 1]

The script creates its own database (`pc_bench_mixed`, dropped at the end) and uses Redis db 10 (emptied before
and after). It migrates, collects static files into a temporary folder, seeds the members through the project's
services (each with a phone number, half of them on the ad-supported plan), signs each in in-process with Django's
test client and chooses their primary profile on "Who's watching?", as a member does after signing in, then
hands each member's cookies to the load client.

Each scenario (two servers, one server; in turn, `--rounds` times, the order reversed every other round) starts
fresh gunicorn servers, each with `--workers` workers of `--server-threads` threads and `gunicorn.conf.py` as
deployed (its access log included), warms them up with a few seconds of page views, then runs for `--duration`
seconds: `--clients` threads, each taking a member nobody else is using (one browser tab per member, so a member's
own requests never overlap), asking 40 % GET /account/, 40 % GET of the member's privacy page, 20 % saves (a POST
with the CSRF token that toggles one choice: MIC on the privacy page, or an email or a text category on its page,
every other switch of that form posted as it stands). Requests go to the servers in turn. The client is Python
threads on keep-alive connections; its CPU time is printed next to the servers', so a starved server shows.

Checked, and the run exits 1 unless each is 0: errors (any answer but 200 for a page and a redirect for a save, or
no answer); lost updates, against the consent event chain: for each member and choice, every successful save is
exactly one `member` event, each event's old value is the previous one's new value, and the stored value is the
last event's new value (and the client's); stale pages: a privacy page showing MIC other than the member's last
successful save, whichever server answered it.
"""

import argparse
import http.client
import itertools
import json
import os
import queue
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MIX = (("account", 40), ("privacy", 40), ("save", 20))
# What a save changes: MIC on the privacy page, or one email or text category on its own page.
SAVE_PAGES = (("privacy", 2), ("emails", 1), ("texts", 1))
WARMUP_SECONDS = 3
REQUEST_TIMEOUT_S = 10
CHECKBOX = re.compile(r'<input type="checkbox" name="(\w+)"[^>]*>')
SHOWN = re.compile(r'<input type="hidden" name="shown" value="([^"]*)">')
MIC_SWITCH = re.compile(r'<input type="checkbox" name="mic"[^>]*>')


# --- in-process parts: run in a subprocess with the servers' settings -----------------------------------------------


def prepare(members: int) -> None:
    """Empty the shared cache, seed the members, sign each in, read each one's three forms; print JSON."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client, override_settings
    from django.urls import reverse

    from accounts.models import Plan
    from accounts.services import account_create
    from consent.models import ConsentEvent

    cache.clear()
    seeded = []
    # Members never sign in with their password here (sessions are made in-process): a fast hash is enough.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for n in range(members):
            account = account_create(
                email=f"member{n:03d}@example.com",
                password=secrets.token_urlsafe(12),
                plan=Plan.STANDARD_WITH_ADS if n % 2 == 0 else Plan.STANDARD,
                region="US-CA",
                primary_profile_name=f"Member {n}",
                phone=f"+1415555{1000 + n:04d}",
            )
            seeded.append(account)
    out = []
    for account in seeded:
        client = Client(SERVER_NAME=HOST)
        client.force_login(account)
        primary = account.profiles.get(is_primary=True)
        assert client.post("/profiles/", {"profile": str(primary.pk)}, secure=True).status_code == 302
        paths = {
            "account": reverse("account"),
            "privacy": primary.get_absolute_url(),
            "emails": reverse("consent:emails", kwargs={"profile": primary.pk}),
            "texts": reverse("consent:texts"),
        }
        forms = {}
        for page in ("privacy", "emails", "texts"):
            response = client.get(paths[page], secure=True)
            assert response.status_code == 200, (paths[page], response.status_code)
            forms[page] = read_form(response.content.decode())
        cookies = {name: morsel.value for name, morsel in client.cookies.items() if morsel.value}
        out.append(
            {
                "email": account.email,
                "profile": str(primary.pk),
                "cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
                "csrf": cookies["csrftoken"],
                "paths": paths,
                "forms": forms,
            }
        )
    mark = ConsentEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    print(json.dumps({"members": out, "mark": mark}))


def read_form(html: str) -> dict:
    """A choices form as a browser holds it: the `shown` field, and each switch that can change with its state."""
    switches = {}
    for tag in CHECKBOX.finditer(html):
        if " disabled" not in tag.group(0):
            switches[tag.group(1)] = " checked" in tag.group(0)
    shown = SHOWN.search(html)
    return {"shown": shown.group(1) if shown else None, "switches": switches}


def check(path: str) -> None:
    """Lost updates: the saves the client saw succeed against the consent event chain and the stored values."""
    import django

    django.setup()
    from accounts.models import Account
    from consent.choices import REGISTRY, Scope
    from consent.models import ChoiceValue, ConsentEvent

    data = json.loads(Path(path).read_text())
    saves: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for email, choice, value in data["saves"]:
        saves[(email, choice)].append(value)
    accounts = {a.email: a for a in Account.objects.filter(email__in={email for email, _ in saves})}
    problems = []
    for (email, choice), values in saves.items():
        account = accounts[email]
        per_profile = REGISTRY[choice].scope == Scope.PROFILE
        profile = account.profiles.get(is_primary=True) if per_profile else None
        events = list(
            ConsentEvent.objects.filter(
                account=account, profile=profile, choice=choice, source="member", id__gt=data["mark"]
            )
            .order_by("id")
            .values_list("old_value", "new_value")
        )
        stored = ChoiceValue.objects.filter(account=account, profile=profile, device=None, choice=choice).get().value
        chained = all(old == previous for (old, _), (_, previous) in zip(events[1:], events, strict=False))
        if [new for _, new in events] != values or not chained or stored != values[-1]:
            problems.append({"member": email, "choice": choice, "saves": values, "events": events, "stored": stored})
    mark = ConsentEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    print(json.dumps({"checked": len(saves), "saves": len(data["saves"]), "problems": problems, "mark": mark}))


# --- the load client -------------------------------------------------------------------------------------------------


@dataclass
class Member:
    email: str
    cookie: str
    csrf: str
    paths: dict[str, str]
    forms: dict[str, dict]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    saves: list[tuple[str, str, bool]] = field(default_factory=list)  # member, choice, new value
    stale: int = 0


def send(
    connections: dict[int, http.client.HTTPConnection], port: int, method: str, path: str, headers: dict, body=None
) -> tuple[int, str, str]:
    connection = connections.get(port) or http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    connections[port] = connection
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location", ""), response.read().decode(errors="replace")
    except (OSError, http.client.HTTPException):
        connection.close()
        del connections[port]
        raise


def one_request(member: Member, port: int, kind: str, rng: random.Random, connections, results: Results) -> None:
    headers = {"Cookie": member.cookie, "X-Forwarded-Proto": "https"}
    if kind != "save":
        path = member.paths[kind]
        started = time.perf_counter()
        status, _, text = send(connections, port, "GET", path, headers)
        took = time.perf_counter() - started
        if status != 200:
            results.errors.append(f"GET {kind} on {port}: {status}")
            return
        results.latencies[kind].append(took)
        if kind == "privacy":
            switch = MIC_SWITCH.search(text)
            if switch is None or (" checked" in switch.group(0)) != member.forms["privacy"]["switches"]["mic"]:
                results.stale += 1
        return
    page = rng.choices([p for p, _ in SAVE_PAGES], [w for _, w in SAVE_PAGES])[0]
    form = member.forms[page]
    choice = "mic" if page == "privacy" else rng.choice(sorted(form["switches"]))
    wanted = {**form["switches"], choice: not form["switches"][choice]}
    fields = [("csrfmiddlewaretoken", member.csrf), ("action", "save")]
    if form["shown"] is not None:
        fields.append(("shown", form["shown"]))
    fields += [(key, "on") for key, on in wanted.items() if on]
    body = urllib.parse.urlencode(fields)
    post_headers = {
        **headers,
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"https://{HOST}:{port}",
    }
    started = time.perf_counter()
    status, location, _ = send(connections, port, "POST", member.paths[page], post_headers, body)
    took = time.perf_counter() - started
    if status != 302 or location.startswith("/login/"):
        results.errors.append(f"POST {page} on {port}: {status} {location}")
        return
    form["switches"] = wanted
    results.latencies["save"].append(took)
    results.saves.append((member.email, choice, wanted[choice]))


def load(ports: list[int], members: list[Member], *, clients: int, seconds: float, saves: bool, seed: int) -> Results:
    """`clients` threads for `seconds`, each taking a free member per request; requests go to the servers in turn."""
    free: queue.Queue[Member] = queue.Queue()
    for member in members:
        free.put(member)
    results = Results()
    turn = itertools.count()
    deadline = time.monotonic() + seconds
    kinds = [kind for kind, _ in MIX if saves or kind != "save"]
    weights = [weight for kind, weight in MIX if saves or kind != "save"]

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)  # noqa: S311 (a reproducible load mix, not a secret)
        connections: dict[int, http.client.HTTPConnection] = {}
        while time.monotonic() < deadline:
            member = free.get(timeout=REQUEST_TIMEOUT_S)
            kind = rng.choices(kinds, weights)[0]
            port = ports[next(turn) % len(ports)]
            try:
                one_request(member, port, kind, rng, connections, results)
            except (OSError, http.client.HTTPException) as error:
                results.errors.append(f"{kind} on {port}: {type(error).__name__} {error}")
            finally:
                free.put(member)
        for connection in connections.values():
            connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 3 * REQUEST_TIMEOUT_S)
    if any(thread.is_alive() for thread in threads):
        results.errors.append("a client thread did not finish")
    return results


# --- servers --------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], log: Path, *, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "netflix_privacy.wsgi", "--bind", f"{HOST}:{port}"]
    command += ["--workers", str(workers), "--threads", str(threads), "--log-level", "warning"]
    output = log.open("w")
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}: see {log}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"gunicorn did not listen on {port} within 60 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of gunicorn masters and their workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for process in (pid, *map(int, children)):
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def django_run(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def database(admin_url: str, name: str, action: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            connection.execute(f'CREATE DATABASE "{name}"')


# --- the run --------------------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else float("nan")


def scenario(name: str, servers: int, args, env, tmp: Path, members: list[Member], mark: int, seed: int) -> dict:
    started = [
        start_server(env, tmp / f"{name}-{n}.log", workers=args.workers, threads=args.server_threads)
        for n in range(servers)
    ]
    processes, ports = [s for s, _ in started], [p for _, p in started]
    try:
        warm = load(ports, members, clients=args.clients, seconds=WARMUP_SECONDS, saves=False, seed=seed)
        load_before = os.getloadavg()
        cpu_before, client_before = cpu_seconds([p.pid for p in processes]), time.process_time()
        began = time.monotonic()
        results = load(ports, members, clients=args.clients, seconds=args.duration, saves=True, seed=seed + 1)
        elapsed = time.monotonic() - began
        server_cpu = cpu_seconds([p.pid for p in processes]) - cpu_before
        client_cpu = time.process_time() - client_before
        load_after = os.getloadavg()
    finally:
        for process in processes:
            stop(process)
    saves_file = tmp / f"{name}-saves.json"
    saves_file.write_text(json.dumps({"mark": mark, "saves": results.saves}))
    checked = json.loads(django_run(env, __file__, "--check", str(saves_file)).strip().splitlines()[-1])
    total = sum(len(v) for v in results.latencies.values())
    rows = {}
    for kind, _ in (*MIX, ("overall", 100)):
        values = [t for v in results.latencies.values() for t in v] if kind == "overall" else results.latencies[kind]
        rows[kind] = {
            "rps": len(values) / elapsed,
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "n": len(values),
        }
    return {
        "name": name,
        "rows": rows,
        "errors": results.errors + warm.errors,
        "lost": checked["problems"],
        "saves": checked["saves"],
        "stale": results.stale,
        "server_cpu_ms": server_cpu * 1000 / max(total, 1),
        "client_cpu_share": client_cpu / elapsed,
        "load": (load_before, load_after),
        "mark": checked["mark"],
    }


def report(args, runs: dict[str, list[dict]]) -> None:
    """One column per scenario: medians over rounds for the figures, totals for the counts."""

    def median(name: str, figure) -> float:
        return statistics.median(figure(run) for run in runs[name])

    def row(name: str, kind: str, figure: str) -> float:
        return statistics.median(run["rows"][kind][figure] for run in runs[name])

    def total(name: str, count) -> int:
        return sum(count(run) for run in runs[name])

    names = list(runs)
    print(
        f"\nmixed load, {args.duration} s per scenario, {args.rounds} round(s), medians; {args.clients} client "
        f"threads (Python, keep-alive), {args.members} members; gunicorn --workers {args.workers} --threads "
        f"{args.server_threads} per server, production settings, PostgreSQL + Redis; {os.cpu_count()} cores"
    )
    print(f"{'request':<24}" + "".join(f" | {name:^28}" for name in names))
    print(f"{'':<24}" + "".join(f" | {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} " for _ in names))
    labels = {
        "account": "GET /account/ (40 %)",
        "privacy": "GET privacy page (40 %)",
        "save": "POST save (20 %)",
        "overall": "overall",
    }
    for kind, label in labels.items():
        cells = "".join(
            f" | {row(name, kind, 'rps'):>8.0f} {row(name, kind, 'p50'):>8.1f} {row(name, kind, 'p95'):>8.1f} "
            for name in names
        )
        print(f"{label:<24}{cells}")
    for title, value in (
        ("errors", lambda name: str(total(name, lambda r: len(r["errors"])))),
        ("saves checked", lambda name: str(total(name, lambda r: r["saves"]))),
        ("lost updates", lambda name: str(total(name, lambda r: len(r["lost"])))),
        ("stale privacy pages", lambda name: str(total(name, lambda r: r["stale"]))),
        ("server CPU ms/request", lambda name: f"{median(name, lambda r: r['server_cpu_ms']):.2f}"),
        ("client CPU (cores)", lambda name: f"{median(name, lambda r: r['client_cpu_share']):.2f}"),
        (
            "load avg before/after",
            lambda name: ", ".join(f"{r['load'][0][0]:.2f}/{r['load'][1][0]:.2f}" for r in runs[name]),
        ),
    ):
        print(f"{title:<24}" + "".join(f" | {value(name):^28}" for name in names))
    for name in names:
        for run in runs[name]:
            for error, count in Counter(run["errors"]).most_common(5):
                print(f"  {name}: {count} x {error}")
            for problem in run["lost"][:5]:
                print(f"  {name}: lost update {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per scenario (default 60)")
    parser.add_argument("--clients", type=int, default=8, help="client threads, one request each at a time (8)")
    parser.add_argument("--members", type=int, default=50, help="signed-in members (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (default 2)")
    parser.add_argument("--server-threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="pc_bench_mixed", help="the database this run creates and drops")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/10", help="the shared cache (Redis db 10)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of both scenarios (default 1); medians shown")
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=0,
        metavar="SECONDS",
        help="before loading, wait up to this long for the 1-minute load average to drop below 1.5 (default 0)",
    )
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--check", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare is not None:
        prepare(args.prepare)
        return
    if args.check:
        check(args.check)
        return

    tmp = Path(tempfile.mkdtemp(prefix="privacy-mixed-load-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CACHE_URL"}},
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "netflix_privacy.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # one secret for every server: sessions, CSRF, signing
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; requests say X-Forwarded-Proto: https
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.database}",
        "CACHE_URL": args.cache_url,
    }
    admin_url = f"{args.postgres.rstrip('/')}/postgres"
    try:
        database(admin_url, args.database, "create")
        manage = str(ROOT / "manage.py")
        django_run(env, manage, "migrate", "--no-input", "-v", "0")
        django_run(env, manage, "collectstatic", "--no-input", "-v", "0")
        prepared = json.loads(django_run(env, __file__, "--prepare", str(args.members)).strip().splitlines()[-1])
        members = [Member(m["email"], m["cookie"], m["csrf"], m["paths"], m["forms"]) for m in prepared["members"]]
        mark = prepared["mark"]
        quiet_by = time.monotonic() + args.wait_quiet
        while os.getloadavg()[0] >= 1.5 and time.monotonic() < quiet_by:
            time.sleep(5)
        runs: dict[str, list[dict]] = {"two servers": [], "one server": []}
        for number in range(args.rounds):
            order = (("two servers", 2), ("one server", 1))
            for name, servers in order if number % 2 == 0 else order[::-1]:
                run = scenario(name, servers, args, env, tmp, members, mark, seed=len(runs[name]) * 2 + servers)
                mark = run["mark"]
                runs[name].append(run)
        report(args, runs)
        failed = any(run["errors"] or run["lost"] or run["stale"] for each in runs.values() for run in each)
    finally:
        try:
            django_run(env, "-c", "import django; django.setup(); from django.core.cache import cache; cache.clear()")
        finally:
            database(admin_url, args.database, "drop")
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
