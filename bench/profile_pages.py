#!/usr/bin/env python
"""Where a member page's time goes: cProfile over many in-process requests, under the benchmark's production
settings (DEBUG off, templates compiled once per process, cached_db sessions, SQLite with persistent connections).

    .venv/bin/python bench/profile_pages.py [--requests 2000] [--top 25] [--page account|privacy|bare]

Requests go straight to Django's WSGI handler (what gunicorn calls), with the cookies of a signed-in member who
chose a profile, so no HTTP parsing or client is in the figures. Prints, per page: time per request with and
without the profiler, the self time grouped by package, the inclusive time of the steps worth knowing (session,
user, active profile, template includes, form rendering, ...), and the marginal cost of each middleware (the
bare view's time with that middleware removed).
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
import wsgiref.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# Inclusive time of these (file fragment, function name) pairs; nested entries overlap, so they do not add up.
STEPS = [
    ("session load (cached_db SessionStore.load)", "sessions/backends/cached_db.py", "load"),
    ("user lookup (auth get_user)", "contrib/auth/__init__.py", "get_user"),
    ("kept reads (common.cache.cached)", "common/cache.py", "cached"),
    ("active profile (request.member)", "accounts/member.py", "active_profile"),
    ("account phone (selector)", "accounts/selectors.py", "account_phone"),
    ("profile of account (selector)", "accounts/selectors.py", "find_profile"),
    ("view function (privacy_settings)", "consent/views/privacy.py", "privacy_settings"),
    ("view function (account)", "accounts/views.py", "account"),
    ("form construction", "django/forms/forms.py", "__init__"),
    ("template render (Template.render)", "django/template/base.py", "render"),
    ("template inheritance (extends/block/include)", "django/template/loader_tags.py", "render"),
    ("fragment cache ({% cache %})", "django/templatetags/cache.py", "render"),
    ("form field rendering (BoundField.as_widget)", "django/forms/boundfield.py", "as_widget"),
    ("widget templates (renderer.render)", "django/forms/renderers.py", "render"),
    ("csrf token in template (get_token)", "django/middleware/csrf.py", "get_token"),
    ("{% url %} (reverse)", "django/urls/base.py", "reverse"),
    ("{% static %} (manifest)", "django/templatetags/static.py", "handle_simple"),
    ("context processors (make_context)", "django/template/context.py", "bind_template"),
    ("SQL execute (CursorWrapper.execute)", "django/db/backends/utils.py", "execute"),
    ("SQL compile (SQLCompiler.as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("session save / cookie (process_response)", "sessions/middleware.py", "process_response"),
    ("CSP header (process_response)", "csp/middleware.py", "process_response"),
    ("URL resolving (resolve)", "django/urls/resolvers.py", "resolve"),
]

PACKAGES = [
    ("sqlite3 C calls", "sqlite3"),
    ("django.template", "django/template/"),
    ("django.forms", "django/forms/"),
    ("django.db (ORM)", "django/db/"),
    ("django.contrib.sessions", "django/contrib/sessions/"),
    ("django.contrib.auth", "django/contrib/auth/"),
    ("django.contrib.messages", "django/contrib/messages/"),
    ("django.middleware", "django/middleware/"),
    ("django.urls", "django/urls/"),
    ("django.http / handlers", ("django/http/", "django/core/handlers/")),
    ("django.utils", "django/utils/"),
    ("django.core.signing / crypto", ("django/core/signing", "django/utils/crypto")),
    ("csp", "/csp/"),
    ("axes", "/axes/"),
    ("whitenoise", "/whitenoise/"),
    ("phonenumbers", ("phonenumber", "/phonenumbers/")),
    ("project code", tuple(str(ROOT / app) for app in ("accounts", "consent", "common", "netflix_privacy"))),
    ("python stdlib / builtins", ("/lib/python3", "~", "<")),
]


def setup_database(tmp: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": f"sqlite:///{tmp / 'profile.sqlite3'}?conn_max_age=600",
            "BENCH_STATIC_ROOT": str(tmp / "static"),
        }
    )
    for args in (("migrate", "--no-input", "-v", "0"), ("seed_demo",), ("collectstatic", "--no-input", "-v", "0")):
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
            timeout=300,
            capture_output=True,
        )


def signed_in_cookie() -> tuple[str, str]:
    from django.test import Client

    from accounts.models import Account

    client = Client(SERVER_NAME=HOST)
    account = Account.objects.get(email="ads@example.com")
    client.force_login(account)
    primary = account.profiles.get(is_primary=True)
    assert client.post("/profiles/", {"profile": str(primary.pk)}).status_code == 302
    client.get("/account/")  # consumes the message, sets csrftoken
    cookie = "; ".join(f"{name}={m.value}" for name, m in client.cookies.items() if m.value)
    return cookie, primary.get_absolute_url()


def make_caller(path: str, cookie: str, handler=None):
    from django.core.handlers.wsgi import WSGIHandler

    app = handler or WSGIHandler()
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": HOST, "HTTP_COOKIE": cookie}
    wsgiref.util.setup_testing_defaults(environ)  # the rest of a WSGI environ, as the standard library fills it in
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def call() -> None:
        body = app(dict(environ), start_response)
        b"".join(body)
        body.close()
        if not statuses[-1].startswith("200"):
            raise RuntimeError(f"{path}: {statuses[-1]}")

    return call


def per_request_ms(call, n: int) -> float:
    for _ in range(50):
        call()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            call()
        best = min(best, (time.perf_counter() - start) / n * 1000)
    return best


def matches(filename: str, fragments) -> bool:
    return any(f in filename for f in ((fragments,) if isinstance(fragments, str) else fragments))


def profile(path: str, cookie: str, n: int, top: int) -> None:
    call = make_caller(path, cookie)
    plain = per_request_ms(call, n)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(tt for (_, _, tt, _, _) in stats.stats.values())  # self time of everything
    print(f"\n=== {path}: {plain:.3f} ms per request in-process ({n} requests; {total / n * 1000:.3f} ms profiled)")

    print("self time by package (% of the profiled request):")
    buckets: dict[str, float] = {}
    for (filename, _, func), (_, _, tt, _, _) in stats.stats.items():
        name = "~" if filename == "~" else filename
        key = next(
            (label for label, frag in PACKAGES if matches(name if name != "~" else func, frag)),
            "other",
        )
        buckets[key] = buckets.get(key, 0.0) + tt
    for key, tt in sorted(buckets.items(), key=lambda kv: -kv[1]):
        print(f"  {key:<32} {tt / n * 1000:7.3f} ms {tt / total:6.1%}")

    print("inclusive time of steps (overlapping):")
    for label, fragment, func in STEPS:
        found = [
            (ct, nc)
            for (filename, _, name), (_, nc, _, ct, _) in stats.stats.items()
            if name == func and fragment in filename
        ]
        if found:
            ct = max(f[0] for f in found)
            calls = next(nc for c, nc in found if c == ct)
            print(f"  {label:<44} {ct / n * 1000:7.3f} ms {ct / total:6.1%}  ({calls / n:.1f} calls/request)")

    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def middleware_costs(cookie: str, n: int, rounds: int = 3) -> None:
    """Marginal cost of each middleware: the bare view with and without it, best of `rounds` alternating runs."""
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    needed = {
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    }
    variants = {"(all)": list(settings.MIDDLEWARE)}
    for middleware in settings.MIDDLEWARE:
        if middleware not in needed:
            variants[middleware] = [m for m in settings.MIDDLEWARE if m != middleware]
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name, middleware_list in variants.items():
            with override_settings(MIDDLEWARE=middleware_list):
                ms = per_request_ms(make_caller("/bench/bare/", cookie, WSGIHandler()), n)
            best[name] = min(best.get(name, float("inf")), ms)
    full = best.pop("(all)")
    print(f"\n=== middleware, marginal cost on the bare view ({full:.3f} ms per request with all of them)")
    for name, without in best.items():
        print(f"  {name:<58} {full - without:7.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    pages = ["account", "privacy", "bare", "emails", "texts", "phone", "profiles", "add"]
    parser.add_argument("--page", choices=pages, action="append")
    parser.add_argument("--no-middleware", action="store_true", help="skip the middleware ablation")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="privacy-profile-") as tmp:
        setup_database(Path(tmp))
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        cookie, privacy = signed_in_cookie()
        paths = {
            "bare": "/bench/bare/",
            "account": "/account/",
            "privacy": privacy,
            "emails": privacy.replace("/privacy/", "/emails/"),
            "texts": "/account/texts/",
            "phone": "/account/phone/",
            "profiles": "/profiles/",
            "add": "/profiles/add/",
        }
        for page in args.page or ["bare", "account", "privacy"]:
            profile(paths[page], cookie, args.requests, args.top)
        if not args.no_middleware:
            middleware_costs(cookie, args.requests)


if __name__ == "__main__":
    main()
