"""The mobile app's tokens and devices: tokens expire after 90 days without use (their use written down at most
once a day), an account holds at most 10 tokens (a new one retires the least recently used) and 10 devices (one
more is refused with 409), and a member revokes one token or all of them (R-API-1, R-AD-1, R-DEV-1)."""

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings

from consent import policy, services
from consent.models import AppToken, ConsentEvent, Device, Platform
from tests.factories import PASSWORD, AccountFactory

START = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
DEVICE = {"platform": "ios", "advertising_id": "", "limit_ad_tracking": False, "notifications": True}


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _works(client, token: str) -> bool:
    """Whether the token is accepted: it may register (or here, be refused nothing but) a device."""
    response = client.post("/api/v1/devices", json.dumps(DEVICE), content_type="application/json", **_bearer(token))
    assert response.status_code in {HTTPStatus.CREATED, HTTPStatus.UNAUTHORIZED}, response.content
    return response.status_code == HTTPStatus.CREATED


def _sign_in(client, email: str, password: str = PASSWORD):
    body = json.dumps({"email": email, "password": password})
    return client.post("/api/v1/app/tokens", body, content_type="application/json")


def _register(account, n: int = 1) -> None:
    for _ in range(n):
        services.device_register(
            account=account,
            platform=Platform.ANDROID,
            advertising_id="",
            limit_ad_tracking=True,
            notifications=False,
            acting_user=account,
        )


# Lifetime --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_token_unused_for_90_days_is_refused__R_API_1(client):
    account = AccountFactory()
    with time_machine.travel(START, tick=False) as traveller:
        token, twin = services.app_token_issue(account=account), services.app_token_issue(account=account)
        traveller.move_to(START + timedelta(days=90) - timedelta(seconds=1))
        assert _works(client, twin)
        traveller.move_to(START + timedelta(days=90))
        assert _works(client, token) is False
    assert AppToken.objects.filter(account=account).count() == 1  # the expired one is gone, its twin stays


@pytest.mark.django_db
def test_using_a_token_starts_its_90_days_again__R_API_1(client):
    account = AccountFactory()
    with time_machine.travel(START, tick=False) as traveller:
        token = services.app_token_issue(account=account)
        traveller.move_to(START + timedelta(days=60))
        assert _works(client, token)
        traveller.move_to(START + timedelta(days=149))
        assert _works(client, token)
        traveller.move_to(START + timedelta(days=149 + 90))
        assert _works(client, token) is False


@pytest.mark.django_db
def test_a_token_check_writes_its_use_at_most_once_a_day__R_API_1(count_queries):
    account = AccountFactory()

    def writes_when_used() -> int:
        with count_queries() as queries:
            assert services.app_token_use(secret=token) is not None
        return sum(query["sql"].startswith("UPDATE") for query in queries.captured_queries)

    with time_machine.travel(START, tick=False) as traveller:
        token = services.app_token_issue(account=account)
        assert writes_when_used() == 0
        traveller.shift(timedelta(hours=23, minutes=59))
        assert writes_when_used() == 0
        traveller.move_to(START + timedelta(days=1))
        assert writes_when_used() == 1
        assert writes_when_used() == 0
    assert AppToken.objects.get(account=account).last_used_at == START + timedelta(days=1)


@pytest.mark.django_db
def test_the_issued_token_says_its_idle_lifetime__R_API_1(client):
    account = AccountFactory()
    response = _sign_in(client, account.email)
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["idle_lifetime_days"] == 90
    with override_settings(PRIVACY_APP_TOKEN_IDLE_DAYS=7):
        assert _sign_in(client, account.email).json()["idle_lifetime_days"] == 7


@pytest.mark.django_db
@override_settings(PRIVACY_APP_TOKEN_IDLE_DAYS=7)
def test_the_idle_lifetime_is_a_setting__R_API_1():
    account = AccountFactory()
    with time_machine.travel(START, tick=False) as traveller:
        token = services.app_token_issue(account=account)
        traveller.shift(timedelta(days=7))
        assert services.app_token_use(secret=token) is None


@pytest.mark.django_db
def test_a_token_issued_before_the_password_changed_is_refused_and_dropped__R_API_1():
    account = AccountFactory()
    token = services.app_token_issue(account=account)
    account.set_password("a-new-pass-5678")
    account.save(update_fields=["password"])
    assert services.app_token_use(secret=token) is None
    assert not AppToken.objects.filter(account=account).exists()
    assert services.app_token_use(secret=services.app_token_issue(account=account)) is not None


# Tokens per account ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_issuing_the_11th_token_retires_the_least_recently_used__R_API_1(client):
    account, other = AccountFactory(), AccountFactory()
    with time_machine.travel(START, tick=False) as traveller:
        theirs = services.app_token_issue(account=other)
        tokens = []
        for day in range(10):
            traveller.move_to(START + timedelta(days=day))
            tokens.append(services.app_token_issue(account=account))
        traveller.move_to(START + timedelta(days=20))
        assert services.app_token_use(secret=tokens[0]) is not None  # the oldest, but used today
        eleventh = services.app_token_issue(account=account)
        assert AppToken.objects.filter(account=account).count() == 10
        assert services.app_token_use(secret=tokens[1]) is None  # the least recently used went
        assert all(services.app_token_use(secret=token) is not None for token in [tokens[0], *tokens[2:], eleventh])
        assert services.app_token_use(secret=theirs) is not None  # another account's are not counted


@pytest.mark.django_db
def test_issuing_a_token_drops_the_accounts_expired_tokens_first__R_API_1():
    account = AccountFactory()
    with time_machine.travel(START, tick=False) as traveller:
        old = services.app_token_issue(account=account)
        traveller.move_to(START + timedelta(days=100))
        fresh = services.app_token_issue(account=account)
        with override_settings(PRIVACY_APP_TOKEN_IDLE_DAYS=1000):  # were it still there, it would work now
            assert services.app_token_use(secret=old) is None
            assert services.app_token_use(secret=fresh) is not None
    assert AppToken.objects.filter(account=account).count() == 1


@pytest.mark.django_db
@override_settings(PRIVACY_APP_TOKENS_PER_ACCOUNT=2)
def test_the_number_of_tokens_per_account_is_a_setting__R_API_1(client):
    account = AccountFactory()
    issued = [_sign_in(client, account.email).json()["token"] for _ in range(3)]
    assert AppToken.objects.filter(account=account).count() == 2
    assert [services.app_token_use(secret=token) is not None for token in issued] == [False, True, True]


@pytest.mark.parametrize(
    ("tokens", "limit", "retired"),
    [
        ([], 10, []),
        ([("a", START)], 1, ["a"]),  # a limit of one: the new token replaces the old
        ([("a", START), ("b", START + timedelta(days=1))], 3, []),
        ([("a", START + timedelta(days=2)), ("b", START), ("c", START + timedelta(days=1))], 2, ["b", "c"]),
        ([("a", START), ("b", START)], 2, ["a"]),  # a tie: the older goes
        ([("a", START - timedelta(days=90)), ("b", START)], 10, ["a"]),  # expired, whatever the limit
        ([("a", START - timedelta(days=89)), ("b", START)], 10, []),
        ([("a", START)], 0, ["a"]),  # a limit below one counts as one
    ],
)
def test_which_tokens_a_new_one_retires__R_API_1(tokens, limit, retired):
    assert policy.app_tokens_to_retire(tokens, now=START, idle_lifetime=timedelta(days=90), limit=limit) == retired


# Revoking --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_app_revokes_the_token_it_holds__R_DEV_1(client):
    account = AccountFactory()
    mine, other_phone = (_sign_in(client, account.email).json()["token"] for _ in range(2))
    response = client.delete("/api/v1/app/tokens/current", **_bearer(mine))
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response.content == b""
    assert _works(client, mine) is False
    assert client.delete("/api/v1/app/tokens/current", **_bearer(mine)).status_code == HTTPStatus.UNAUTHORIZED
    assert _works(client, other_phone)


@pytest.mark.django_db
def test_a_member_revokes_every_app_token_of_the_account__R_DEV_1(client):
    account, other = AccountFactory(), AccountFactory()
    tokens = [services.app_token_issue(account=account) for _ in range(3)]
    theirs = services.app_token_issue(account=other)
    response = client.delete("/api/v1/app/tokens", **_bearer(tokens[1]))
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not any(_works(client, token) for token in tokens)
    assert _works(client, theirs)
    assert client.delete("/api/v1/app/tokens", **_bearer(tokens[0])).status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.django_db
def test_revoking_needs_the_accounts_own_token__R_DEV_1():
    account, other = AccountFactory(), AccountFactory()
    services.app_token_issue(account=other)
    theirs = AppToken.objects.get(account=other)
    assert services.app_token_revoke(account=account, token_id=theirs.pk) is False
    assert services.app_token_revoke_all(account=account) == 0
    assert AppToken.objects.filter(account=other).count() == 1
    assert services.app_token_revoke(account=other, token_id=theirs.pk) is True
    assert not AppToken.objects.filter(account=other).exists()


@pytest.mark.django_db
def test_tokens_are_credentials_revoking_them_writes_no_consent_event__R_AU_1():
    account = AccountFactory()
    before = ConsentEvent.objects.count()
    services.app_token_issue(account=account)
    assert services.app_token_revoke_all(account=account) == 1
    assert ConsentEvent.objects.count() == before


# Devices per account ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_registering_an_11th_device_is_refused_with_409_and_writes_nothing__R_AD_1(client):
    account = AccountFactory()
    token = services.app_token_issue(account=account)
    _register(account, 10)
    devices, events = Device.objects.count(), ConsentEvent.objects.count()
    body = json.dumps(DEVICE)
    response = client.post("/api/v1/devices", body, content_type="application/json", **_bearer(token))
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json() == {
        "detail": "this account has registered 10 devices, the most it may: sign one of them out first, or update "
        "one with PUT /api/v1/devices/{device_id}",
        "errors": [],
    }
    assert (Device.objects.count(), ConsentEvent.objects.count()) == (devices, events)
    # A device the account has can still report its settings.
    device = Device.objects.filter(account=account).first()
    updated = client.put(f"/api/v1/devices/{device.pk}", body, content_type="application/json", **_bearer(token))
    assert updated.status_code == HTTPStatus.OK
    # Another account's devices do not count.
    assert _works(client, services.app_token_issue(account=AccountFactory()))


@pytest.mark.django_db
@override_settings(PRIVACY_DEVICES_PER_ACCOUNT=2)
def test_the_number_of_devices_per_account_is_a_setting__R_AD_1():
    account = AccountFactory()
    _register(account, 2)
    with pytest.raises(services.DeviceLimitReached):
        _register(account)
    assert Device.objects.filter(account=account).count() == 2


# Races (PostgreSQL) ----------------------------------------------------------------------------------------------


def _at_once(work: Callable[[], None], times: int) -> list[BaseException]:
    """Run `work` in `times` threads started together, each on its own connection; the errors they raised."""
    barrier = threading.Barrier(times)
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tokens_issued_at_once_never_exceed_the_limit__R_API_1():
    account = AccountFactory()
    for _ in range(9):
        services.app_token_issue(account=account)
    assert _at_once(lambda: services.app_token_issue(account=account), 6) == []
    assert AppToken.objects.filter(account=account).count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_devices_registered_at_once_never_exceed_the_limit__R_AD_1():
    account = AccountFactory()
    _register(account, 8)
    errors = _at_once(lambda: _register(account), 5)
    assert [type(error) for error in errors] == [services.DeviceLimitReached] * 3
    assert Device.objects.filter(account=account).count() == 10


@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_sent_at_once_get_no_more_checks_than_the_lock_out_allows__R_API_1(monkeypatch, settings):
    """The token exchange counts towards the sign-in lock-out (django-axes): ten wrong passwords for one email from
    one client, sent at once, get at most AXES_FAILURE_LIMIT passwords checked (accounts.axes: one check at a time
    per identity); the others answer the API's JSON 429 with Retry-After."""
    account = AccountFactory()
    checked: list[str] = []
    check_password = type(account).check_password

    def slow_check(self, raw_password: str) -> bool:
        checked.append(raw_password)
        time.sleep(0.3)  # a slow hash: every attempt sent at once reads the lock-out before any failure counts
        return check_password(self, raw_password)

    monkeypatch.setattr(type(account), "check_password", slow_check)
    statuses: list[int] = []

    def attempt() -> None:
        statuses.append(_sign_in(Client(), account.email, "wrong-password").status_code)

    assert _at_once(attempt, 10) == []
    assert 1 <= len(checked) <= settings.AXES_FAILURE_LIMIT
    assert set(statuses) <= {HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS}
    assert statuses.count(HTTPStatus.UNAUTHORIZED) == len(checked)
