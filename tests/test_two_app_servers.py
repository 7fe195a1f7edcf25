"""Many processes, many machines (docs/rules.md, Qualities): every limit and memory that protects members, every
cached rule and every session holds for the whole site, whichever app server answers. Proven, not argued: two
separate app servers (two gunicorn processes on two ports, one worker each, production settings behind an HTTPS
proxy as deployed) share one database and one cache, and requests are spread over both, in turn and at once.

Run twice: on a temporary SQLite file (migrated with `manage.py migrate`, which also creates the table of the
embedded default cache, Django's database cache), and on PostgreSQL with Redis, the production pair (the test
run's database, and its CACHE_URL, else Redis db 7). Texts are counted across processes by a backend that appends
a line per text to a file (tests/sms_to_file.py); tasks run in the server that enqueues them (ImmediateBackend).

Each proof fails when the cache is per process (CACHE_URL=locmemcache:// on both servers): each server then keeps
its own limits, replay memory, rules and sessions.
"""

import json
import os
import secrets
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from consent import webhooks
from tests.helpers import Browser, Response, app_servers, at_once, clean_environment, form_token, postgres_url, run

ROOT = Path(__file__).resolve().parent.parent
# The servers' settings (environment variables): production's, with what a test needs named explicitly.
SECRET_KEY = "test-only-two-app-servers"
WEBHOOK_SECRET = "test-only-two-app-servers-webhook"
CLIENT_IP_HEADER = "X-Test-Client-IP"
REGION_HEADER = "X-Test-Region"
TEXTS_PER_HOUR = 3  # codes one requester may ask for one number (or address) in an hour
PER_ADDRESS_PER_HOUR = 6  # codes everyone together may ask for one number (or address), waived for the member
# Codes one requester may ask for, for every number and address together. High enough that it never decides the
# tests of the other two limits.
PER_REQUESTER_PER_HOUR = 15
PASSWORD = "two-servers-pass-1234"
LOCAL_POSTGRES_CACHE_URL = "redis://127.0.0.1:6379/7"

RESET_BY_TEXT = "/password-reset/text/"
HONOURED = "Opt-out preference signal honored"
ACCOUNT_PAGE = "Membership &amp; Billing"


def seed() -> None:
    """Run by `manage.py shell` in the servers' settings: an empty shared cache, a member with a phone number and a
    superuser (a fresh address and number each time: the SQLite file outlives a test, and a server with a cache of
    its own would keep counts an empty shared cache no longer has), and the rules the admin tests change.
    Prints what the test needs as JSON."""
    from django.core.cache import cache

    from accounts.models import Account, Plan
    from accounts.services import account_create
    from consent.models import Cookie, Jurisdiction

    cache.clear()
    tag = uuid.uuid4().hex[:10]
    number = f"+1415555{secrets.randbelow(9000) + 1000}"
    member = account_create(
        email=f"member-{tag}@example.com",
        password=PASSWORD,
        plan=Plan.STANDARD_WITH_ADS,
        region="US-CA",
        primary_profile_name="Main",
        phone=number,
    )
    staff = Account.objects.create_superuser(email=f"staff-{tag}@example.com", password=PASSWORD)
    # A test on PostgreSQL starts from an emptied database (transactional tests flush it), without the rows the
    # migrations load.
    texas, _ = Jurisdiction.objects.update_or_create(
        code="US-TX",
        defaults={"name": "Texas", "honours_signal_from": date(2025, 1, 1), "source": "Texas Data Privacy Act"},
    )
    Jurisdiction.objects.update_or_create(
        code="US-CA", defaults={"name": "California", "honours_signal_from": date(2020, 8, 14), "source": "CCPA"}
    )
    ad_id, _ = Cookie.objects.update_or_create(
        name="ad_id",
        defaults={
            "category": "advertising",
            "purpose": "Measures our own advertising.",
            "purpose_es": "Mide nuestra propia publicidad.",
            "lifetime": "1 year",
            "lifetime_es": "1 año",
        },
    )
    print(
        json.dumps(
            {
                "member": member.email,
                "number": number,
                "profile": str(member.profiles.get().pk),
                "staff": staff.email,
                "texas": {"pk": texas.pk, "code": texas.code, "name": texas.name, "source": texas.source},
                "ad_id": {
                    "pk": ad_id.pk,
                    **{
                        field: getattr(ad_id, field)
                        for field in ("name", "purpose", "purpose_es", "lifetime", "lifetime_es")
                    },
                },
            }
        )
    )


@dataclass
class Site:
    """Two app servers, their shared settings, and the file every text they send is counted in."""

    ports: list[int]
    env: dict[str, str]
    texts_file: Path

    def seed(self) -> dict[str, Any]:
        code = "from tests.test_two_app_servers import seed; seed()"
        out = run([sys.executable, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=self.env)
        return json.loads(out.strip().splitlines()[-1])

    def texts(self) -> list[str]:
        """The numbers texted since the test started, one per text, from both servers."""
        return self.texts_file.read_text().splitlines() if self.texts_file.exists() else []

    def spread(self, n: int) -> int:
        """The port of the server that answers the n-th request: the two in turn."""
        return self.ports[n % len(self.ports)]


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.django_db(transaction=True)]),
    ],
)
def servers(request, tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp(f"two-servers-{request.param}")
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="netflix_privacy.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,  # the same on every server: sessions, signed cookies and tokens
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback; the requests say X-Forwarded-Proto: https
        DJANGO_LOG_LEVEL="WARNING",
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        SMS_BACKEND="tests.sms_to_file.FileBackend",
        TEST_SMS_FILE=str(folder / "texts.txt"),
        SMS_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PRIVACY_CLIENT_IP_HEADER=CLIENT_IP_HEADER,
        PRIVACY_REGION_HEADER=REGION_HEADER,
        PASSWORD_RESET_TEXTS_PER_HOUR=str(TEXTS_PER_HOUR),
        PASSWORD_RESET_PER_ADDRESS_PER_HOUR=str(PER_ADDRESS_PER_HOUR),
        PASSWORD_RESET_PER_REQUESTER_PER_HOUR=str(PER_REQUESTER_PER_HOUR),
    )
    if request.param == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
        env.pop("CACHE_URL", None)  # the embedded default: Django's database cache, in the same file
        run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env)
    else:
        request.getfixturevalue("django_db_setup")  # the test run's database exists (and is migrated)
        env["DATABASE_URL"] = postgres_url(settings.DATABASES["default"])
        env["CACHE_URL"] = os.environ.get("CACHE_URL") or LOCAL_POSTGRES_CACHE_URL
    with app_servers(2, cwd=ROOT, env=env, log_dir=folder) as ports:
        yield Site(ports=ports, env=env, texts_file=folder / "texts.txt")


@pytest.fixture
def site(servers: Site) -> Site:
    servers.texts_file.unlink(missing_ok=True)
    return servers


# --- what browsers do ------------------------------------------------------------------------------------------------


def fresh_address() -> str:
    """A requester's address no other test used. With the number each test seeds afresh, what a test counts starts
    from nothing on every server, even one that keeps counts in its own memory (each proof must then fail, not pass
    on what earlier tests left behind)."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def asker(address: str) -> Browser:
    """A fresh browser (no cookies, no session) from this address, as the proxy reports it."""
    return Browser({CLIENT_IP_HEADER: address})


def ask_for_code(port: int, browser: Browser, *, email: str, number: str) -> Response:
    """A reset code asked for by text: the form opened (its CSRF token), then posted."""
    return browser.submit(port, RESET_BY_TEXT, {"email": email, "number": number})


def codes_asked_at_once(site: Site, askers: list[tuple[Browser, str, str]]) -> list[int]:
    """Each (browser, email, number) opens the form on a server (the two in turn), then all post at once."""
    tokens = [form_token(browser.get(site.spread(n), RESET_BY_TEXT).text) for n, (browser, _, _) in enumerate(askers)]

    def post(n: int) -> int:
        browser, email, number = askers[n]
        form = {"csrfmiddlewaretoken": tokens[n], "email": email, "number": number}
        return browser.post(site.spread(n), RESET_BY_TEXT, form).status

    return at_once([partial(post, n) for n in range(len(askers))])


def sign_in(browser: Browser, port: int, email: str) -> Response:
    return browser.submit(port, "/login/", {"username": email, "password": PASSWORD})


def sign_out(browser: Browser, port: int) -> Response:
    page = browser.get(port, "/account/")
    return browser.post(port, "/logout/", {"csrfmiddlewaretoken": form_token(page.text)})


def admin_change(browser: Browser, port: int, path: str, fields: dict[str, str]) -> Response:
    """Save an admin change form as staff do: open it, post every field."""
    return browser.submit(port, path, {**fields, "_save": "Save"})


def staff_browser(port: int, email: str) -> Browser:
    browser = Browser()
    signed_in = browser.submit(port, "/admin/login/?next=/admin/", {"username": email, "password": PASSWORD})
    assert (signed_in.status, signed_in.location) == (HTTPStatus.FOUND, "/admin/")
    return browser


def inbound_text(text: str = "STOP") -> tuple[bytes, dict[str, str]]:
    """A new signed request of the SMS provider (the id makes it one no test sent before)."""
    body = json.dumps({"from": "+14155550199", "text": text, "id": uuid.uuid4().hex}).encode()
    timestamp = int(timezone.now().timestamp())
    signature = webhooks.sign(body=body, timestamp=timestamp, secret=WEBHOOK_SECRET)
    return body, {webhooks.TIMESTAMP_HEADER: str(timestamp), webhooks.SIGNATURE_HEADER: signature}


def deliver(port: int, inbound: tuple[bytes, dict[str, str]]) -> int:
    body, headers = inbound
    return (
        Browser()
        .request(
            "POST", port, "/webhooks/sms/inbound/", body=body, headers={"Content-Type": "application/json", **headers}
        )
        .status
    )


# --- password reset by text -----------------------------------------------------------------------------------------


def test_reset_codes_one_requester_asks_for_on_two_servers_in_turn_stop_at_the_hourly_limit__SPEC_9(site):
    seeded, requester = site.seed(), fresh_address()
    statuses = [
        ask_for_code(site.spread(n), asker(requester), email=seeded["member"], number=seeded["number"]).status
        for n in range(3 * TEXTS_PER_HOUR)
    ]
    assert statuses == [HTTPStatus.FOUND] * TEXTS_PER_HOUR + [HTTPStatus.TOO_MANY_REQUESTS] * 2 * TEXTS_PER_HOUR
    assert site.texts() == [seeded["number"]] * TEXTS_PER_HOUR


def test_reset_codes_one_requester_asks_for_on_two_servers_at_once_stop_at_the_hourly_limit__SPEC_9(site):
    seeded, requester = site.seed(), fresh_address()
    askers = [(asker(requester), seeded["member"], seeded["number"]) for _ in range(4 * TEXTS_PER_HOUR)]
    statuses = Counter(codes_asked_at_once(site, askers))
    assert statuses == {HTTPStatus.FOUND: TEXTS_PER_HOUR, HTTPStatus.TOO_MANY_REQUESTS: 3 * TEXTS_PER_HOUR}
    assert site.texts() == [seeded["number"]] * TEXTS_PER_HOUR


def test_strangers_on_two_servers_share_one_limit_per_number_and_the_members_own_browser_still_gets_a_code__SPEC_9(
    site,
):
    seeded = site.seed()
    email, number = seeded["member"], seeded["number"]
    own = asker(fresh_address())
    assert sign_in(own, site.ports[0], email).status == HTTPStatus.FOUND
    assert sign_out(own, site.ports[1]).status == HTTPStatus.FOUND  # the browser, not a session, is what counts
    assert "known_browser" in own.cookies
    assert "sessionid" not in own.cookies

    # Three strangers, each from an address of their own, ask more often than each may, all at once over both
    # servers: each gets at most their own limit, and all together the number's.
    askers = [
        (asker(stranger), email, number)
        for stranger in (fresh_address() for _ in range(3))
        for _ in range(TEXTS_PER_HOUR + 1)
    ]
    statuses = codes_asked_at_once(site, askers)
    accepted = Counter(
        browser.headers[CLIENT_IP_HEADER]
        for (browser, _, _), status in zip(askers, statuses, strict=True)
        if status == HTTPStatus.FOUND
    )
    assert sum(accepted.values()) == PER_ADDRESS_PER_HOUR
    assert max(accepted.values()) <= TEXTS_PER_HOUR
    assert site.texts() == [number] * PER_ADDRESS_PER_HOUR

    another = ask_for_code(site.ports[0], asker(fresh_address()), email=email, number=number)
    assert another.status == HTTPStatus.TOO_MANY_REQUESTS
    assert ask_for_code(site.ports[1], own, email=email, number=number).status == HTTPStatus.FOUND
    assert site.texts() == [number] * (PER_ADDRESS_PER_HOUR + 1)


@pytest.mark.parametrize("at_the_same_time", [False, True], ids=["in_turn", "at_once"])
def test_one_requester_asking_for_many_numbers_on_two_servers_stops_at_its_own_hourly_limit__SPEC_9(
    site, at_the_same_time
):
    site.seed()  # an empty shared cache
    requester = fresh_address()
    allowed = PER_REQUESTER_PER_HOUR
    asks = [(f"nobody-{uuid.uuid4().hex}@example.com", f"+1415555{n:04d}") for n in range(100, 100 + allowed + 3)]
    if at_the_same_time:
        statuses = codes_asked_at_once(site, [(asker(requester), *ask) for ask in asks])
        # At once as in turn: each request takes one of the requester's uses, atomically, on whichever server.
        assert Counter(statuses)[HTTPStatus.FOUND] == allowed
        later = ask_for_code(site.ports[0], asker(requester), email="nobody-late@example.com", number="+14155550999")
        assert later.status == HTTPStatus.TOO_MANY_REQUESTS
    else:
        statuses = [
            ask_for_code(site.spread(n), asker(requester), email=email, number=number).status
            for n, (email, number) in enumerate(asks)
        ]
        assert statuses == [HTTPStatus.FOUND] * allowed + [HTTPStatus.TOO_MANY_REQUESTS] * 3
    assert site.texts() == []  # no account has these addresses: the same answer, nothing sent


# --- the inbound-text webhook's replay memory -----------------------------------------------------------------------


def test_a_signed_inbound_text_accepted_by_one_server_is_refused_by_the_other__R_SMS_3_SPEC_9(site):
    a, b = site.ports
    first, second = inbound_text(), inbound_text()
    assert [deliver(a, first), deliver(b, first)] == [HTTPStatus.OK, HTTPStatus.FORBIDDEN]
    assert [deliver(b, second), deliver(a, second)] == [HTTPStatus.OK, HTTPStatus.FORBIDDEN]


@pytest.mark.parametrize("at_the_same_time", [False, True], ids=["in_turn", "at_once"])
def test_twenty_identical_signed_inbound_texts_spread_over_two_servers_are_accepted_once__R_SMS_3_SPEC_9(
    site, at_the_same_time
):
    inbound = inbound_text()
    deliveries = [partial(deliver, site.spread(n), inbound) for n in range(20)]
    statuses = at_once(deliveries) if at_the_same_time else [each() for each in deliveries]
    assert Counter(statuses) == {HTTPStatus.OK: 1, HTTPStatus.FORBIDDEN: 19}


# --- rules staff change in the admin --------------------------------------------------------------------------------


def test_a_jurisdiction_changed_in_the_admin_of_one_server_is_in_effect_on_the_other_at_once__R_GPC_9_SPEC_9(site):
    seeded = site.seed()
    a, b = site.ports
    staff = staff_browser(a, seeded["staff"])
    texas = seeded["texas"]
    change = f"/admin/consent/jurisdiction/{texas['pk']}/change/"
    fields = {"code": texas["code"], "name": texas["name"], "source": texas["source"], "cookie_opt_in_from": ""}

    def honoured_on(port: int) -> bool:
        page = Browser({"Sec-GPC": "1", REGION_HEADER: "US-TX"}).get(port, "/cookies/")
        assert page.status == HTTPStatus.OK
        return HONOURED in page.text

    assert [honoured_on(b), honoured_on(a)] == [True, True]  # both servers have read the rules (and kept them)
    saved = admin_change(staff, a, change, {**fields, "honours_signal_from": ""})
    assert (saved.status, saved.location) == (HTTPStatus.FOUND, "/admin/consent/jurisdiction/")
    assert [honoured_on(b), honoured_on(a)] == [False, False]

    today = timezone.now().date().isoformat()
    assert admin_change(staff, a, change, {**fields, "honours_signal_from": today}).status == HTTPStatus.FOUND
    assert [honoured_on(b), honoured_on(a)] == [True, True]


def test_a_cookie_moved_to_another_category_in_the_admin_of_one_server_is_enforced_by_the_other_at_once__R_CK_1_R_CK_3(
    site,
):
    seeded = site.seed()
    a, b = site.ports
    staff = staff_browser(a, seeded["staff"])
    ad_id = seeded["ad_id"]
    change = f"/admin/consent/cookie/{ad_id['pk']}/change/"
    fields = {key: value for key, value in ad_id.items() if key != "pk"}

    def removed_on(port: int) -> bool:
        """A browser holding ad_id, in a state that honours its signal: advertising off, performance on."""
        browser = Browser({"Sec-GPC": "1", REGION_HEADER: "US-CA"}, cookies={"ad_id": "measured"})
        page = browser.get(port, "/cookies/")
        assert page.status == HTTPStatus.OK
        return page.deletes_cookie("ad_id")

    assert [removed_on(b), removed_on(a)] == [True, True]
    assert admin_change(staff, a, change, {**fields, "category": "performance"}).status == HTTPStatus.FOUND
    assert [removed_on(b), removed_on(a)] == [False, False]
    assert admin_change(staff, a, change, {**fields, "category": "advertising"}).status == HTTPStatus.FOUND
    assert [removed_on(b), removed_on(a)] == [True, True]


# --- sessions -------------------------------------------------------------------------------------------------------


def test_a_session_from_one_server_is_valid_on_the_other_and_signing_out_on_one_ends_it_on_both__SPEC_9(site):
    seeded = site.seed()
    a, b = site.ports
    member = Browser()
    signed_in = sign_in(member, a, seeded["member"])
    assert (signed_in.status, signed_in.location) == (HTTPStatus.FOUND, "/profiles/")

    # Signed in on one, the member chooses a profile on the other, and the first sees the choice.
    chosen = member.submit(b, "/profiles/", {"profile": seeded["profile"]})
    assert (chosen.status, chosen.location) == (HTTPStatus.FOUND, "/account/")
    for port in (a, b):
        page = member.get(port, "/account/")
        assert page.status == HTTPStatus.OK
        assert ACCOUNT_PAGE in page.text

    session = dict(member.cookies)  # a copy of the signed-in cookies, as a second tab or a thief would hold them
    assert sign_out(member, a).status == HTTPStatus.FOUND
    for port in (b, a):
        page = Browser(cookies=session).get(port, "/account/")
        assert (page.status, page.location) == (HTTPStatus.FOUND, "/login/?next=/account/")
