#!/usr/bin/env python3
"""Set up and run Privacy Center with nothing but Python 3.11+ on the machine.

python3 tasks.py run     # virtual environment, pinned dependencies, database, demo data, then serve
                         # http://127.0.0.1:8000/ on SQLite
python3 tasks.py test    # the same setup, then the whole test suite (extra arguments go to pytest)
python3 tasks.py messages  # collect the marked strings into locale/es/LC_MESSAGES/django.po (needs GNU gettext),
                           # then fail if any entry is untranslated or fuzzy
"""

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements" / "dev.lock"
STAMP = VENV / ".installed-lock-sha256"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_environment() -> None:
    """Create .venv and install the pinned dependencies, unless the lock file is unchanged since last time."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this script is what tells an old Python to upgrade)
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    print("Installing pinned dependencies from requirements/dev.lock ...", flush=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", LOCK], check=True)
    STAMP.write_text(digest)


def manage(*args: str) -> None:
    subprocess.run([PYTHON, ROOT / "manage.py", *args], check=True, cwd=ROOT)


def setup() -> None:
    """Everything the app needs before it starts: the environment and the compiled Spanish catalog."""
    ensure_environment()
    manage("compile_catalogs", "-v", "0")


# What makemessages reads: the apps, the project and templates/ (not the environment, tests or benchmarks).
MESSAGES_IGNORE = [".venv", "tests", "bench", "staticfiles", "build", "docs", "requirements"]


# The GNU gettext programs makemessages runs; the site itself needs none of them (compile_catalogs is polib).
GETTEXT_TOOLS = ["xgettext", "msguniq", "msgmerge", "msgattrib"]


def messages() -> int:
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        # Django's own error, then subprocess's traceback, would read like a crash of the project.
        print(
            f"python3 tasks.py messages needs GNU gettext ({', '.join(missing)} not found): "
            "apt-get install gettext, or brew install gettext. Running the site and the tests does not need it.",
            file=sys.stderr,
        )
        return 1
    ensure_environment()
    ignore = [arg for name in MESSAGES_IGNORE for arg in ("--ignore", name)]
    manage("makemessages", "--locale", "es", "--no-obsolete", "--add-location", "file", *ignore)
    try:
        manage("compile_catalogs", "--check")
    except subprocess.CalledProcessError as failed:
        return failed.returncode
    return 0


def run() -> int:
    setup()
    manage("migrate", "--no-input", "-v", "0")
    manage("seed_demo")
    print(
        "\nPrivacy Center: http://127.0.0.1:8000/  (sign in as ads@example.com / demo-pass-1234;"
        " staff: admin@example.com at /admin/)\n",
        flush=True,
    )
    try:
        manage("runserver", "127.0.0.1:8000")
    except KeyboardInterrupt:  # Ctrl+C is how the README says to stop it: no traceback for that
        print("\nStopped.", flush=True)
    return 0


def test(pytest_args: list[str]) -> int:
    setup()
    args = list(pytest_args)
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://"))
    if not on_postgres and "-m" not in args:
        # Races and locking are only provable on PostgreSQL; run them with DATABASE_URL=postgres://...
        print("SQLite run: PostgreSQL-only tests (marker 'postgres') are deselected.", flush=True)
        args = ["-m", "not postgres", *args]
    return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=ROOT, check=False).returncode


def main() -> int:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if command == "messages":
        return messages()
    print(__doc__)
    return 0 if command in {"help", "-h", "--help"} else 2


if __name__ == "__main__":
    sys.exit(main())
