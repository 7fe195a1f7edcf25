"""Password reset limits (accounts.reset): per requester (an IPv4 address, or an IPv6 /64), per address or number
from one requester, and per address or number from everyone, which the member's own browser is not held to; and
both resets answer the same, in the same time, whether or not an account matches (sending goes through the task
queue)."""

import ipaddress
import json
import statistics
import sys
import time
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import assume, given
from hypothesis import strategies as st

from accounts.browsers import KNOWN_BROWSER_COOKIE
from common.http import client_key
from common.sms import backends
from tests.factories import PASSWORD, AccountFactory
from tests.helpers import clean_environment, run

pytestmark = pytest.mark.django_db

EMAIL, NUMBER = "texts@example.com", "+14155550123"
CLIENT_IP_HEADER = "X-Test-Client-IP"
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def _empty_outboxes():
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@pytest.fixture
def member(db):
    return AccountFactory(email=EMAIL, phone=NUMBER)


def ask_for_code(client: Client, *, email: str = EMAIL, number: str = NUMBER, ip: str = "192.0.2.1"):
    return client.post(
        reverse("password_reset_text"), {"email": email, "number": number}, headers={CLIENT_IP_HEADER: ip}
    )


def ask_for_link(client: Client, *, email: str = EMAIL, ip: str = "192.0.2.1"):
    return client.post(reverse("password_reset"), {"email": email}, headers={CLIENT_IP_HEADER: ip})


@override_settings(PRIVACY_CLIENT_IP_HEADER=CLIENT_IP_HEADER, PASSWORD_RESET_TEXTS_PER_HOUR=3)
def test_one_requester_gets_at_most_the_limit_of_codes_for_one_number(member):
    answers = [ask_for_code(Client()).status_code for _ in range(5)]
    assert answers == [HTTPStatus.FOUND] * 3 + [HTTPStatus.TOO_MANY_REQUESTS] * 2
    assert len(backends.outbox) == 3


@override_settings(
    PRIVACY_CLIENT_IP_HEADER=CLIENT_IP_HEADER, PASSWORD_RESET_TEXTS_PER_HOUR=3, PASSWORD_RESET_PER_REQUESTER_PER_HOUR=5
)
def test_one_requester_gets_at_most_the_limit_over_all_addresses(member):
    answers = [
        ask_for_code(Client(), email=f"nobody{n}@example.com", number=f"+1415555014{n}").status_code for n in range(7)
    ]
    assert answers.count(HTTPStatus.FOUND) == 5
    assert answers[5:] == [HTTPStatus.TOO_MANY_REQUESTS] * 2


@override_settings(
    PRIVACY_CLIENT_IP_HEADER=CLIENT_IP_HEADER, PASSWORD_RESET_TEXTS_PER_HOUR=3, PASSWORD_RESET_PER_REQUESTER_PER_HOUR=5
)
def test_an_ipv6_requester_is_one_requester_across_its_64(member):
    """Every address of one /64 is one requester (common.http.client_key): rotating through them gains nothing;
    the next /64 is another requester."""
    answers = [
        ask_for_code(
            Client(), email=f"nobody{n}@example.com", number=f"+1415555014{n}", ip=f"2001:db8:1:2::{n:x}"
        ).status_code
        for n in range(7)
    ]
    assert answers.count(HTTPStatus.FOUND) == 5
    assert answers[5:] == [HTTPStatus.TOO_MANY_REQUESTS] * 2
    other = ask_for_code(Client(), email="nobody9@example.com", number="+14155550149", ip="2001:db8:1:3::1")
    assert other.status_code == HTTPStatus.FOUND


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("192.0.2.2", "192.0.2.2"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
        ("2001:DB8:1:2:a:b:c:d", "2001:db8:1:2::"),
        ("2001:db8:1:3::1", "2001:db8:1:3::"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::1", "::"),
        ("", ""),
        ("not an address", "not an address"),
    ],
)
def test_limits_count_ipv4_clients_per_address_and_ipv6_clients_per_64(address, client):
    assert client_key(address) == client


@given(st.ip_addresses(v=6), st.integers(min_value=0, max_value=2**64 - 1))
def test_every_address_of_a_64_is_the_same_client(address, host):
    """Any two addresses of one /64 (IPv4-mapped ones aside: they are IPv4 clients) are one client, named by the
    /64's first address."""
    same_64 = ipaddress.IPv6Address((int(address) & ~(2**64 - 1)) | host)
    assume(address.ipv4_mapped is None and same_64.ipv4_mapped is None)
    assert client_key(str(same_64)) == client_key(str(address))
    assert ipaddress.IPv6Network(f"{client_key(str(address))}/64") == ipaddress.IPv6Network(
        f"{address}/64", strict=False
    )


@override_settings(
    PRIVACY_CLIENT_IP_HEADER=CLIENT_IP_HEADER, PASSWORD_RESET_TEXTS_PER_HOUR=3, PASSWORD_RESET_PER_ADDRESS_PER_HOUR=4
)
def test_strangers_spread_over_many_addresses_cannot_starve_the_members_own_browser(client, member):
    strangers = [ask_for_code(Client(), ip=f"198.51.100.{n}").status_code for n in range(6)]
    assert strangers.count(HTTPStatus.FOUND) == 4, "everyone together is capped per number"
    assert len(backends.outbox) == 4
    assert ask_for_code(Client(), ip="198.51.100.99").status_code == HTTPStatus.TOO_MANY_REQUESTS

    # The member signed in on this browser before: the number's shared limit does not hold them back.
    client.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    assert KNOWN_BROWSER_COOKIE in client.cookies
    client.post(reverse("logout"))
    assert ask_for_code(client, ip="203.0.113.7").status_code == HTTPStatus.FOUND
    assert len(backends.outbox) == 5


@override_settings(
    PRIVACY_CLIENT_IP_HEADER=CLIENT_IP_HEADER, PASSWORD_RESET_TEXTS_PER_HOUR=3, PASSWORD_RESET_PER_ADDRESS_PER_HOUR=2
)
def test_reset_links_by_email_have_the_same_limits(client, member):
    for n in range(4):
        assert ask_for_link(Client(), ip=f"198.51.100.{n}").status_code == HTTPStatus.FOUND
    assert len(mail.outbox) == 2, "everyone together is capped per address; each asker was told the same"
    client.post(reverse("login"), {"username": EMAIL, "password": PASSWORD})
    client.post(reverse("logout"))
    ask_for_link(client, ip="203.0.113.7")
    assert len(mail.outbox) == 3


@override_settings(PRIVACY_CLIENT_IP_HEADER=CLIENT_IP_HEADER, PASSWORD_RESET_CODE_TRIES_PER_HOUR=4)
def test_code_checks_are_limited_per_requester_whatever_the_code(member):
    client = Client()
    ask_for_code(client)
    answers = [
        client.post(
            reverse("password_reset_text_code"),
            {"code": f"{n:06d}", "new_password1": "x-new-pass-987", "new_password2": "x-new-pass-987"},
            headers={CLIENT_IP_HEADER: "192.0.2.1"},
        ).status_code
        for n in range(6)
    ]
    assert answers == [HTTPStatus.BAD_REQUEST] * 6  # the same answer: the code did not work


def took_ms(post) -> float:
    started = time.perf_counter()
    post(Client())
    return (time.perf_counter() - started) * 1000


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    PASSWORD_RESET_TEXTS_PER_HOUR=10_000,
    PASSWORD_RESET_PER_ADDRESS_PER_HOUR=10_000,
    PASSWORD_RESET_PER_REQUESTER_PER_HOUR=10_000,
)
@pytest.mark.parametrize(
    "post",
    [
        pytest.param(lambda email: lambda client: ask_for_code(client, email=email), id="text"),
        pytest.param(lambda email: lambda client: ask_for_link(client, email=email), id="email"),
    ],
)
def test_a_reset_request_takes_the_same_time_whether_or_not_the_account_exists(member, post):
    """The request throttles, looks up and enqueues the same way for a real and an unknown account; the worker
    does the sending. Medians of requests sent alternately."""
    real, unknown = [], []
    for _ in range(100):  # one of each in turn, so a change in the machine's load hits both alike
        real.append(took_ms(post(EMAIL)))
        unknown.append(took_ms(post("unknown-member@example.com")))
    real_ms, unknown_ms = statistics.median(real), statistics.median(unknown)
    assert abs(real_ms - unknown_ms) <= 0.3 * max(real_ms, unknown_ms), (real_ms, unknown_ms)
    assert backends.outbox == [], "nothing is sent inside the request"
    assert mail.outbox == []


def _database_cache(table: str, max_entries: int) -> dict[str, object]:
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": table,
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


@override_settings(PRIVACY_CLIENT_IP_HEADER=CLIENT_IP_HEADER, PASSWORD_RESET_PER_REQUESTER_PER_HOUR=5)
def test_flooding_the_database_cache_with_keys_never_resets_a_limit(member):
    """With Django's database cache (the embedded default) a table past MAX_ENTRIES is culled: the limits keep
    their slots in a table of their own (settings.CACHES["throttles"], common.throttle.store), which a flood of
    other keys (new sessions, say) cannot fill, so nothing is culled from it."""
    caches_in_the_database = {
        "default": _database_cache("test_cache_default", 50),
        "throttles": _database_cache("test_cache_throttles", 1000),
    }
    with override_settings(CACHES=caches_in_the_database):
        call_command("createcachetable", verbosity=0)
        answers = [
            ask_for_code(Client(), email=f"nobody{n}@example.com", number=f"+1415555014{n}").status_code
            for n in range(6)
        ]
        assert answers == [HTTPStatus.FOUND] * 5 + [HTTPStatus.TOO_MANY_REQUESTS]
        # Four times the default cache's MAX_ENTRIES, under keys that sort after the slots' (Django culls the
        # lowest keys first): in one table, the cull would take the slots.
        for n in range(200):
            cache.set(f"zz-flood:{n}", n)
        again = ask_for_code(Client(), email="nobody9@example.com", number="+14155550149")
        assert again.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_throttles_database_cache_is_culled_only_past_a_million_live_slots():
    """The embedded default's choice (settings.CACHES, README): the throttles' own table, MAX_ENTRIES 1,000,000
    and Django's CULL_FREQUENCY 3; with Redis, the one shared cache."""
    code = "from django.conf import settings; import json; print(json.dumps(settings.CACHES))"
    env = clean_environment(DJANGO_SETTINGS_MODULE="netflix_privacy.settings.local")
    env.pop("CACHE_URL", None)
    configured = json.loads(run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env))
    assert configured["throttles"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache_throttles",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000, "CULL_FREQUENCY": 3},
    }
    assert configured["default"]["LOCATION"] == "django_cache"
    env["CACHE_URL"] = "redis://127.0.0.1:6379/11"
    configured = json.loads(run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env))
    assert configured["throttles"] == configured["default"]
