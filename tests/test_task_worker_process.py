"""Issue 8: marketing email runs once through the database task backend with a real `db_worker` process, as
a deployment runs it (CI runs this too, see .ci/run)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_queued_marketing_email_is_sent_by_a_db_worker_process(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "netflix_privacy.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tasks.sqlite3'}",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DJANGO_DEBUG": "false",
    }
    run("migrate", "--no-input", "-v", "0", env=env)
    run("seed_demo", env=env)
    queued = run("send_marketing_email", "--category", "email_offers", "--no-progress", env=env)
    assert "Queued" in queued
    sent = run("db_worker", "--batch", "--no-startup-delay", "--no-reload", env=env)
    assert sent.count("List-Unsubscribe-Post: List-Unsubscribe=One-Click") >= 1
    assert "Subject: News from Privacy Center" in sent
