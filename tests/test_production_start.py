"""Production starts from a clean checkout by following only the README, with nothing in its log about static
files, and a deployment that skipped collectstatic still serves its pages (unstyled, the missing step logged)
instead of a 500 on every page.

The README's Deployment block is run as written (less creating the virtual environment, which this test run
already has: the copy links to it) on a copy of the tracked files, with production settings; `/` and the
stylesheet it links must answer 200. `.ci/run` does the same from a clean clone, virtual environment included
(`.ci/production_start`).
"""

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import override_settings

from common.storage import ForgivingManifestStaticFilesStorage
from tests.helpers import HOST, clean_environment, free_port

DEPLOY_BLOCK = re.compile(r"<!-- deploy:start -->\s*```sh\n(.*?)```\s*<!-- deploy:end -->", re.DOTALL)


def readme_deployment_steps() -> list[str]:
    match = DEPLOY_BLOCK.search((settings.BASE_DIR / "README.md").read_text())
    assert match, "README.md has no Deployment block between <!-- deploy:start --> and <!-- deploy:end -->"
    return [line for line in match.group(1).splitlines() if line.strip()]


def clean_checkout(target) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607 (git from PATH)
        cwd=settings.BASE_DIR,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in tracked)):
        source = settings.BASE_DIR / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    # The virtual environment this test runs in (a work tree may use another checkout's .venv).
    os.symlink(sys.prefix, target / ".venv")


def get(port: int, path: str) -> tuple[int, str]:
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback only)
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_readme_deployment_steps_migrate_collect_static_and_start_gunicorn():
    steps = "\n".join(readme_deployment_steps())
    for step in ("manage.py migrate", "manage.py collectstatic", "gunicorn netflix_privacy.wsgi"):
        assert step in steps
    assert "netflix_privacy.settings.production" in steps


def test_production_starts_from_a_clean_checkout_following_only_the_readme(tmp_path):
    app = tmp_path / "app"
    clean_checkout(app)
    assert not (app / "staticfiles").exists()
    port = free_port()
    steps = [s for s in readme_deployment_steps() if "-m venv" not in s]
    script = "\n".join(steps).replace("--bind 0.0.0.0:8000", f"--bind {HOST}:{port}")
    env = clean_environment(
        DJANGO_SECRET_KEY="production-start-test-" + "k3y!" * 12,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    log = open(tmp_path / "deploy.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script],  # noqa: S607 (the README's shell)
        cwd=app,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        status, html = 0, ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, html = get(port, "/")
                break
            except OSError:
                time.sleep(0.3)
        assert status == HTTPStatus.OK, (tmp_path / "deploy.log").read_text()[-3000:]
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
        assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", stylesheet), "hashed by collectstatic"
        assert get(port, stylesheet)[0] == HTTPStatus.OK
        assert get(port, "/admin/login/")[0] == HTTPStatus.OK
        assert "is not collected" not in (tmp_path / "deploy.log").read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        log.close()


@pytest.mark.django_db
def test_production_storage_without_collectstatic_serves_pages_not_a_server_error(client, tmp_path, caplog):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "common.storage.ForgivingManifestStaticFilesStorage"},
    }
    with (
        override_settings(STORAGES=storages, STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False),
        caplog.at_level(logging.ERROR, logger="common.static"),
    ):
        response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert "/static/css/site.css" in response.content.decode()
    assert "collectstatic" in caplog.text


def test_production_storage_logs_nothing_for_a_file_the_project_does_not_have(tmp_path, caplog):
    """WhiteNoise asks, as it starts, for names made by stripping what looks like a hash from collected files
    (`select2.full.js` gives `select2.js`): no such file exists, so no step was missed and nothing is logged."""
    storage = ForgivingManifestStaticFilesStorage(location=tmp_path)
    with caplog.at_level(logging.ERROR, logger="common.static"):
        url = storage.url("admin/js/vendor/select2/select2.js")
    assert url == "/static/admin/js/vendor/select2/select2.js"
    assert caplog.text == ""
