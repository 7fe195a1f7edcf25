"""Helpers for tests that run the app in a real server process (gunicorn) on this machine's loopback only."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
