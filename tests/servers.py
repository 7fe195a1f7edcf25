"""Helpers for tests that run the app in a real server process (gunicorn) on this machine's loopback only."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without what the test run adds (browser tests' async flag, pytest's
    settings), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}}
    env.update(extra)
    return env


def run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server did not listen on {HOST}:{port} within {timeout} s")


@contextmanager
def gunicorn(*, cwd: Path, env: dict[str, str], log: Path, workers: int = 2, threads: int = 5) -> Iterator[int]:
    """gunicorn netflix_privacy.wsgi on a free loopback port; yields the port and stops it afterwards."""
    port = free_port()
    output = open(log, "w")  # noqa: SIM115 (closed below, after the process)
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "netflix_privacy.wsgi", "--bind", f"{HOST}:{port}"),
            *("--workers", str(workers), "--threads", str(threads), "--timeout", "60"),
        ],
        cwd=cwd,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process)
        yield port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        output.close()


@contextmanager
def app_servers(count: int, *, cwd: Path, env: dict[str, str], log_dir: Path, threads: int = 4) -> Iterator[list[int]]:
    """`count` separate app servers sharing whatever `env` names (database, cache), each one gunicorn process
    with one worker: a value a process kept in its own memory is then visibly not shared, where with several
    workers a request could land on one that never saw it and a per-process cache pass by luck. Yields the ports;
    every server is stopped afterwards."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(gunicorn(cwd=cwd, env=env, log=log_dir / f"server-{n}.log", workers=1, threads=threads))
            for n in range(count)
        ]


def postgres_url(database: Mapping[str, Any]) -> str:
    """A DATABASE_URL for a Django DATABASES entry on PostgreSQL (e.g. the test run's own database)."""
    quote = urllib.parse.quote
    credentials = quote(database["USER"] or "", safe="")
    if database.get("PASSWORD"):
        credentials += f":{quote(database['PASSWORD'], safe='')}"
    return (
        f"postgres://{credentials}@{database['HOST'] or HOST}:{database['PORT'] or 5432}/"
        f"{quote(database['NAME'], safe='')}"
    )


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str
    cookies: SimpleCookie = field(default_factory=SimpleCookie)  # what this response set (or deleted)

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def deletes_cookie(self, name: str) -> bool:
        return name in self.cookies and self.cookies[name]["max-age"] == "0"


FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def form_token(html: str) -> str:
    """The CSRF token of the (first) form on a page, as a browser submits it."""
    found = FORM_TOKEN.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Browser:
    """One browser talking to the app servers on this machine as if through the site's HTTPS proxy: it keeps its
    own cookies and sends them to whichever server it asks (all servers are one site), says
    `X-Forwarded-Proto: https`, and sends the Origin Django's CSRF check expects of an HTTPS form. Redirects are
    not followed; every wait is bounded."""

    def __init__(
        self, headers: Mapping[str, str] | None = None, *, cookies: Mapping[str, str] | None = None, timeout: float = 30
    ) -> None:
        self.headers = dict(headers or {})  # sent with every request
        self.cookies = dict(cookies or {})  # name: value as sent in the Cookie header
        self.timeout = timeout

    def request(
        self, method: str, port: int, path: str, *, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> Response:
        sent = {"X-Forwarded-Proto": "https", **self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if method == "POST":
            sent.setdefault("Origin", f"https://{HOST}:{port}")
        connection = http.client.HTTPConnection(HOST, port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read().decode(errors="replace"))
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            response.cookies.load(header)
        for name, morsel in response.cookies.items():
            if morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.coded_value
        return response

    def get(self, port: int, path: str, **headers: str) -> Response:
        return self.request("GET", port, path, headers=headers)

    def post(self, port: int, path: str, data: Mapping[str, str], **headers: str) -> Response:
        body = urllib.parse.urlencode(data).encode()
        return self.request(
            "POST", port, path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded", **headers}
        )

    def submit(self, port: int, path: str, data: Mapping[str, str], **headers: str) -> Response:
        """Open the form's page, then post it with the page's CSRF token, as a person filling it in does."""
        page = self.get(port, path, **headers)
        assert page.status == HTTPStatus.OK, f"GET {path}: {page.status}"
        return self.post(port, path, {"csrfmiddlewaretoken": form_token(page.text), **data}, **headers)


def at_once(calls: Sequence[Callable[[], T]], *, timeout: float = 120) -> list[T]:
    """Run the calls in threads released together, as close to the same moment as threads allow; their results in
    order. Bounded: each call's own waits are, and so is the wait for the others to start and finish."""
    start = threading.Barrier(len(calls))

    def released(call: Callable[[], T]) -> T:
        start.wait(timeout=timeout)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released, call) for call in calls]
        return [future.result(timeout=timeout) for future in futures]
