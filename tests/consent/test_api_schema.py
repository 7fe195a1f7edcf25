"""The API's OpenAPI description holds against a live server (gunicorn on loopback), on the database the suite
runs on: schemathesis generates valid and invalid requests for every operation, and no answer is a server error,
a status the operation does not document, a content type it does not document, or a body that breaks the
documented schema (R-API-1). A fixed budget of examples per operation (derandomised, so CI sees the same ones
every run) and a time bound keep it a CI test; raise EXAMPLES locally for a wider search."""

import json
import sys
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from django.conf import settings
from django.db import connection, connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode

from common import replica
from tests.conftest import ON_POSTGRES
from tests.helpers import HOST, clean_environment, gunicorn, postgres_url, run

EXAMPLES = 60  # per operation and generation mode, and per focused run
TIME_BOUND_S = 300
REQUEST_TIMEOUT_S = 15
PASSWORD = "schema-test-pass-1234"
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]

SETUP = f"""
import json
from accounts.models import Plan
from accounts.services import account_create
from consent import services

devices = account_create(email="schema-devices@example.com", password="{PASSWORD}", plan=Plan.STANDARD_WITH_ADS,
                         region="US-CA", primary_profile_name="Main")
account_create(email="schema-revoke@example.com", password="{PASSWORD}", plan=Plan.STANDARD, region="US-TX",
               primary_profile_name="Main")
device = services.device_register(account=devices, platform="ios", advertising_id="", limit_ad_tracking=False,
                                  notifications=True, acting_user=devices)
print(json.dumps({{"profile": str(devices.profiles.get().pk), "device": str(device.pk)}}))
"""


def _databases(tmp_path: Path) -> dict[str, str]:
    """The databases the server uses: on PostgreSQL the suite's own test database (migrated already, emptied after
    the test by `transactional_db`) and, with a replica configured (.ci/with_replica), that database on the
    replica; on SQLite a file of its own (the suite's is in memory)."""
    if not ON_POSTGRES:
        return {"DATABASE_URL": f"sqlite:///{tmp_path / 'api.sqlite3'}"}
    urls = {"DATABASE_URL": postgres_url(connection.settings_dict)}
    if replica.configured():
        urls["DATABASE_REPLICA_URL"] = postgres_url(connections[replica.REPLICA].settings_dict)
    return urls


class LiveApi:
    def __init__(self, port: int, ids: dict[str, str]) -> None:
        self.base = f"http://{HOST}:{port}"
        self.session = requests.Session()
        self.ids = ids
        self.service = {"Authorization": f"Bearer {settings.PRIVACY_API_TOKEN}"}
        self.app = {"Authorization": f"Bearer {self.token_of('schema-devices@example.com')}"}

    def token_of(self, email: str) -> str:
        response = self.session.post(
            f"{self.base}/api/v1/app/tokens", json={"email": email, "password": PASSWORD}, timeout=REQUEST_TIMEOUT_S
        )
        assert response.status_code == HTTPStatus.CREATED, response.text
        return response.json()["token"]

    def headers_for(self, operation: Any) -> dict[str, str]:
        if operation.path.startswith(("/api/v1/eligibility", "/api/v1/changes")):
            return self.service
        if operation.method.upper() == "DELETE":  # revoking: a token of its own each time, on another account
            return {"Authorization": f"Bearer {self.token_of('schema-revoke@example.com')}"}
        if operation.path.startswith("/api/v1/devices"):
            return self.app
        return {}


def _run(api: LiveApi, strategy: Any, operation: Any, deadline: float) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def examples(case: Any) -> None:
        if time.monotonic() > deadline:
            pytest.fail(f"the schemathesis run took longer than {TIME_BOUND_S} s")
        case.call_and_validate(
            base_url=api.base,
            session=api.session,
            headers=api.headers_for(operation),
            checks=CHECKS,
            timeout=REQUEST_TIMEOUT_S,
        )

    examples()


@pytest.mark.django_db(transaction=True)
def test_the_live_api_answers_only_what_its_openapi_description_says__R_API_1(tmp_path):
    # The test settings (DEBUG off, the service token, a fast password hasher: the token exchange checks a
    # password, known or not, on every call) with this run's database and cache.
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="netflix_privacy.settings.test",
        DJANGO_ALLOWED_HOSTS=HOST,
        **_databases(tmp_path),
        DJANGO_LOG_LEVEL="ERROR",
    )
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    if not ON_POSTGRES:
        run([*manage, "migrate", "--no-input", "-v", "0"], cwd=settings.BASE_DIR, env=env)
    ids = json.loads(run([*manage, "shell", "-v", "0", "-c", SETUP], cwd=settings.BASE_DIR, env=env))
    log = tmp_path / "gunicorn.log"
    deadline = time.monotonic() + TIME_BOUND_S
    with gunicorn(cwd=settings.BASE_DIR, env=env, log=log) as port:
        api = LiveApi(port, ids)
        schema = schemathesis.openapi.from_url(f"{api.base}/api/v1/openapi.json", timeout=REQUEST_TIMEOUT_S)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 9
        runs: list[tuple[Any, Any]] = []
        for operation in operations:
            runs += [(operation, operation.as_strategy(generation_mode=mode)) for mode in GenerationMode]
        # Requests for what exists, so the success answers are checked too, not only 404s.
        by_label = {f"{operation.method.upper()} {operation.path}": operation for operation in operations}
        focused = [
            (by_label["GET /api/v1/eligibility"], {"query": {"profile": ids["profile"]}}),
            (by_label["GET /api/v1/changes"], {"query": {"after": "0.0"}}),
            (by_label["PUT /api/v1/devices/{device_id}"], {"path_parameters": {"device_id": ids["device"]}}),
            (
                by_label["POST /api/v1/app/tokens"],
                {"body": {"email": "schema-devices@example.com", "password": PASSWORD}},
            ),
        ]
        runs += [(operation, operation.as_strategy(**fixed)) for operation, fixed in focused]
        try:
            for operation, strategy in runs:
                _run(api, strategy, operation, deadline)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis reports a FailureGroup, not an Exception
            raise AssertionError(f"{error}\n--- server log (tail) ---\n{log.read_text()[-4000:]}") from error
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
