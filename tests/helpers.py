"""What the tests share (fixtures and hooks are in tests/conftest.py): the database as the pages see it, the
audit trail, a page's form controls as a screen reader finds them, admin change forms, text messages sent and
received,
threads started together, the app in a real server process, and the input Hypothesis generates for several
endpoints."""

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
from html.parser import HTMLParser
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import strategies as st

from accounts.models import Account, Profile
from accounts.sessions import ACTIVE_PROFILE_KEY
from common.sms import backends
from consent import selectors, services, webhooks
from consent.choices import Choice, Source
from consent.models import ConsentEvent, Device, Platform
from tests.factories import StaffFactory

# The request header of an opt-out preference signal (Global Privacy Control), as the test client takes it.
GPC = {"HTTP_SEC_GPC": "1"}

# Accounts and profiles ------------------------------------------------------------------------------------------


def profile_named(account: Account, name: str) -> Profile:
    return Profile.objects.select_related("account").get(account=account, name=name)


def watching(client, account: Account, name: str):
    """The client signed in as the account, with the named profile chosen on "Who's watching?"."""
    client.force_login(account)
    session = client.session
    session[ACTIVE_PROFILE_KEY] = str(profile_named(account, name).pk)
    session.save()
    return client


# What support staff who only look need: every list and page, no change.
VIEW_ONLY = ("view_account", "view_profile", "view_consentevent", "view_phonenumber")
# Staff who work on profiles only: they never see an account's page, nor its email address.
PROFILES_ONLY = ("view_profile", "change_profile", "view_consentevent")


def staff_with(*codenames: str, superuser: bool = False) -> Account:
    """A staff account with exactly these permissions, read afresh (no permission cache)."""
    user = cast(Account, StaffFactory(is_superuser=superuser))
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return Account.objects.get(pk=user.pk)


def signed_in(user: Account) -> Client:
    """A client of its own signed in as `user` (several staff can be compared in one test)."""
    client = Client()
    client.force_login(user)
    return client


def register_device(account: Account, *, limited: bool = False, notifications: bool = True) -> Device:
    """An iPhone of the account, as the app registers it (R-AD-1, R-PUSH-1)."""
    return services.device_register(
        account=account,
        platform=Platform.IOS,
        advertising_id="AEBE52E7-03EE-455A-B3C4-E57283966239",
        limit_ad_tracking=limited,
        notifications=notifications,
        acting_user=account,
    )


# Choices and their audit trail ----------------------------------------------------------------------------------


def values_of(profile: Profile) -> dict[str, bool]:
    """A profile's current values as the pages see them (rows, defaults filled in), read afresh."""
    account = Account.objects.get(pk=profile.account_id)
    return dict(selectors.profile_facts(profile=profile, account=account).values)


def mic_ba(account: Account) -> list[tuple[str, bool, bool]]:
    """(name, MIC, BA) for every profile of the account, in slot order."""
    return [(p.name, values_of(p)[Choice.MIC], values_of(p)[Choice.BA]) for p in account.profiles.order_by("slot")]


def all_opted_out(account: Account) -> bool:
    return selectors.all_profiles_opted_out(account=account)


def actor(source: Source = Source.MEMBER, user: Account | None = None, **fields) -> services.Actor:
    return services.Actor(source=source, acting_user=user, **fields)


def events_since(mark: int) -> list[tuple]:
    """Consent events written after `mark` (an event id), oldest first, as comparable tuples."""
    return list(
        ConsentEvent.objects.filter(id__gt=mark)
        .order_by("id")
        .values_list("profile__name", "choice", "old_value", "new_value", "source", "acting_user__email")
    )


TRAIL_COLUMNS = (
    "account_id",
    "profile_id",
    "choice",
    "old_value",
    "new_value",
    "source",
    "acting_user_id",
    "jurisdiction",
    "context",
    "created_at",
)


def trail_since(mark: int, *, leave_out: tuple[str, ...] = ()) -> list[tuple]:
    """The consent trail written after `mark` (an event id), oldest first, every stored column but `leave_out`."""
    columns = [column for column in TRAIL_COLUMNS if column not in leave_out]
    return list(ConsentEvent.objects.filter(id__gt=mark).order_by("id").values_list(*columns))


def admin_account_url(account: Account) -> str:
    """The account's change page in the admin."""
    return reverse("admin:accounts_account_change", args=[account.pk])


def last_event_id() -> int:
    return ConsentEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


class QueryCounter(CaptureQueriesContext):
    """Counts queries; on a mismatch the assertion message prints the SQL."""

    def __init__(self) -> None:
        super().__init__(connection)

    def __str__(self) -> str:
        return "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(self.captured_queries, 1))


class ReadQueryCounter:
    """Counts the queries on every configured database: the primary and, with DATABASE_REPLICA_URL set, the replica
    the API reads (common.replica), so a pinned count holds wherever the reads go. The same `len` and `str` as
    QueryCounter."""

    def __init__(self) -> None:
        self._captures = [CaptureQueriesContext(connections[alias]) for alias in settings.DATABASES]

    def __enter__(self) -> "ReadQueryCounter":
        for capture in self._captures:
            capture.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for capture in reversed(self._captures):
            capture.__exit__(kind, error, trace)

    @property
    def captured_queries(self) -> list[dict[str, str]]:
        return [query for capture in self._captures for query in capture.captured_queries]

    def __len__(self) -> int:
        return len(self.captured_queries)

    def __str__(self) -> str:
        return "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(self.captured_queries, 1))


# A page's form controls ------------------------------------------------------------------------------------------

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []  # the id of each open element (None without one)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in {"input", "select", "textarea", "button"}:
            self.controls.append({"tag": tag, **attributes})
        if tag not in VOID_ELEMENTS:
            self._open.append(attributes.get("id"))
            if attributes.get("id"):
                self.text_by_id[str(attributes["id"])] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_ELEMENTS and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in filter(None, self._open):
            self.text_by_id[element_id] += data


def _parsed(html: str) -> _Controls:
    parser = _Controls()
    parser.feed(html)
    return parser


def controls(html: str) -> list[dict[str, str | None]]:
    """Every form control of a page (input, select, textarea, button) as its attributes, in page order;
    `None` is the value of an attribute written without one (`checked`, `disabled`)."""
    return _parsed(html).controls


def control(html: str, name: str, *, type_: str | None = None) -> dict[str, str | None]:
    """The page's one control named `name` (of `type_`, if given), as its attributes."""
    found = [c for c in controls(html) if c.get("name") == name and (type_ is None or c.get("type") == type_)]
    assert len(found) == 1, f"{len(found)} controls named {name!r}: {found}"
    return found[0]


def description(html: str, name: str) -> str:
    """What a screen reader reads as the description of the control named `name`: the text of the elements its
    aria-describedby names (help text, errors)."""
    ids = str(control(html, name).get("aria-describedby") or "").split()
    text_by_id = _parsed(html).text_by_id
    return " ".join(" ".join(text_by_id.get(each, "").split()) for each in ids)


def switches(html: str) -> dict[str, bool]:
    """The page's switches (role="switch") as a screen reader finds them: name to checked."""
    return {str(c["name"]): "checked" in c for c in controls(html) if c.get("role") == "switch"}


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "image", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def change_form_data(client, url: str, **changes: object) -> dict[str, object]:
    """An admin change form posted the way a browser would: every field as the page (GET) shows it, with
    `changes` applied; None removes a field (unchecks it)."""
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    data: dict[str, object] = {name: values if len(values) != 1 else values[0] for name, values in parser.data.items()}
    data.pop("csrfmiddlewaretoken", None)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    data["_save"] = "Save"
    return data


# Text messages ---------------------------------------------------------------------------------------------------


def sent_code() -> str:
    """The 6-digit code of the one text message sent (common.sms's locmem outbox)."""
    [message] = backends.outbox
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None, message.body
    return found.group(1)


# The secret inbound texts are signed with under netflix_privacy.settings.test (SMS_WEBHOOK_SECRET).
WEBHOOK_SECRET = "test-webhook-secret-0123456789"


def post_inbound(
    body: bytes, *, timestamp: int | None = None, signature: str | None = None, secret: str = WEBHOOK_SECRET
):
    """`body` POSTed to the inbound-text webhook as the SMS provider sends it: stamped now and signed with the
    secret, unless a timestamp, signature or secret is given."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = signature or webhooks.sign(body=body, timestamp=timestamp, secret=secret)
    return Client(enforce_csrf_checks=True).post(
        reverse("sms_inbound"),
        body,
        content_type="application/json",
        headers={webhooks.TIMESTAMP_HEADER: str(timestamp), webhooks.SIGNATURE_HEADER: signature},
    )


# Threads ---------------------------------------------------------------------------------------------------------


def run_concurrently(*work: Callable[[], object], timeout: float = 60) -> None:
    """Start every callable at the same moment in its own thread (each on its own database connection); fail
    on any error or a hang (deadlock)."""
    barrier = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def runner(fn: Callable[[], object]) -> None:
        try:
            barrier.wait()
            fn()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(fn,)) for fn in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a worker hung: deadlock or lock wait"
    assert not errors, errors


# Real server processes, on this machine's loopback only ---------------------------------------------------------

T = TypeVar("T")

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without what the test run adds (browser tests' async flag, pytest's
    settings) and without DATABASE_REPLICA_URL, which names the replica of the run's own database rather than
    of the test database a subprocess is given (a subprocess that should read a replica is passed its URL in
    `extra`), plus `extra`."""
    dropped = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DATABASE_REPLICA_URL"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
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


# Browser tests (Playwright): a member signing in, and axe-core's WCAG check ---------------------------------------


# The languages every page exists in (R-I18N-1); browser flows that prove a page in both parametrize over these.
LANGUAGES = ["en", "es"]


def words(language: str, message: str, context: str | None = None, **values: object) -> str:
    """`message` as the site shows it in `language`, from the compiled catalog (values fill its placeholders)."""
    from django.utils import translation

    with translation.override(language):
        text = translation.pgettext(context, message) if context else translation.gettext(message)
    return text % values if values else text


def counted_words(language: str, singular: str, plural: str, count: int, **values: object) -> str:
    """A count's words as the site shows them in `language` ("11 changes", "11 cambios"), from the compiled
    catalog; `counter` and `values` fill its placeholders."""
    from django.utils import translation

    with translation.override(language):
        text = translation.ngettext(singular, plural, count)
    return text % {"counter": count, **values}


def sign_in(page, email: str = "ads@example.com", password: str = "demo-pass-1234", language: str = "en") -> None:
    page.goto("/login/")
    page.get_by_label(words(language, "Email")).fill(email)
    page.get_by_label(words(language, "Password")).fill(password)
    page.get_by_role("button", name=words(language, "Sign in")).click()
    page.wait_for_url("**/profiles/")


WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_accessible(page, what: str, width: int | None = None) -> None:
    """axe-core finds no WCAG 2.2 AA violation on the page as it stands, and (given the viewport's width) the
    page does not scroll sideways."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count == 0, f"{what}: {results.generate_report()}"
    if width is not None:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{what} scrolls sideways at {width}px"


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


# Generated input (Hypothesis) for the endpoints that take text, identifiers, headers and JSON --------------------

# Any text a form field or a JSON string can carry (lone surrogates cannot be encoded, so they are left out).
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)

# What an HTTP header can carry: latin-1 without control characters.
header_text = st.text(alphabet=st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=60)

# A profile or device id in every spelling a UUID parser might accept, and text that is none.
uuid_like = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: f"{{{u}}}"),
    st.uuids().map(lambda u: f" {u} "),
    st.uuids().map(lambda u: f"urn:uuid:{u}"),
    any_text,
)

# Any JSON value, nested a little.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=12,
)

# Phone numbers as people type them, valid or not.
phone_like = st.one_of(
    any_text,
    st.from_regex(r"\+?[0-9 ()\-.]{0,25}", fullmatch=True),
    st.text(alphabet=st.characters(categories=["Nd"]), max_size=15).map(lambda d: "+1" + d),
    st.sampled_from(["+14155550199", "+1 (415) 555-0199", "+33 1 23 45 67 89", "+14155550123 ext. 5"]),
)


def reads_in(language: str, **account_fields: object) -> Account:
    """A new account (tests.factories.AccountFactory) whose emails and texts go out in `language`, as if the
    member had signed in or picked it with the chooser (R-I18N-1)."""
    from tests.factories import AccountFactory

    account = cast(Account, AccountFactory(**account_fields))
    Account.objects.filter(pk=account.pk).update(language=language)
    account.language = language
    return account
