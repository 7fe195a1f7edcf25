"""Settings shared by every environment; each environment module imports this and overrides."""

from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "phonenumber_field",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "common",
    "accounts",
    "consent",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every query of a request waits at most DATABASE_QUERY_DEADLINE_S, whatever the database does (common.db).
    "common.middleware.DatabaseDeadlineMiddleware",
    # A session cookie Django could not have issued never reaches the session store (or the database).
    "common.middleware.SessionCookieShapeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: the chooser's cookie, else Accept-Language (R-I18N-1). Paths stay the same in every
    # language (no i18n_patterns), so responses say Vary: Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.MemberMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Pages for a signed-in member carry personal data: never stored by a browser or shared cache.
    "common.middleware.NoStoreForSignedInMiddleware",
    # A database that times out (lock, statement, connection) gets the friendly error page with 503.
    "common.middleware.DatabaseUnavailableMiddleware",
    "consent.middleware.PrivacyMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' rule).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "netflix_privacy.urls"
WSGI_APPLICATION = "netflix_privacy.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.active_profile",
                "consent.context_processors.privacy",
            ],
        },
    },
]

# SQLite is the embedded default so a new machine needs nothing installed; DATABASE_URL selects PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep connections between requests, and check them before reuse so a restarted database costs one error at most.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The longest a request waits for one query's answer before its connection is cut (common.db): above the
# statement and lock timeouts PostgreSQL enforces itself, for the case where it cannot (a frozen backend).
DATABASE_QUERY_DEADLINE_S = env.float("DATABASE_QUERY_DEADLINE_S", default=5)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite as a web server's database: WAL lets readers run beside the one writer; IMMEDIATE transactions take
    # the write lock when they start, so two writers queue (busy_timeout) instead of failing with "database is
    # locked" when both try to upgrade a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT_S", default=5),
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                f"PRAGMA busy_timeout={env.int('SQLITE_BUSY_TIMEOUT_S', default=5) * 1000};"
            ),
        }
    )
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Django's PostgreSQL backend, subclassed so that a COMMIT or ROLLBACK waits no longer than a query (common.db).
    DATABASES["default"]["ENGINE"] = "common.postgresql"
    # A frozen or overloaded database must fail a request in seconds (friendly 503 page), not hang a worker:
    # give up connecting after DATABASE_CONNECT_TIMEOUT, on a statement or a lock wait after the limits below.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
    # Django's health check before reusing a connection sends its own `SELECT 1`, which no execute wrapper sees,
    # so it could wait forever on a frozen backend; without it, a connection broken while idle fails its first
    # query under the deadline instead (one 503), and the next request connects afresh.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    _pg_options.setdefault(
        "options",
        f"-c statement_timeout={env.int('DATABASE_STATEMENT_TIMEOUT_MS', default=3000)}"
        f" -c lock_timeout={env.int('DATABASE_LOCK_TIMEOUT_MS', default=2000)}",
    )
# Reads that scale out (common/replica.py): DATABASE_REPLICA_URL names a streaming replica of the database above
# (PostgreSQL), which serves the eligibility API, the change feed and the exports; everything else, and every
# write, stays on the primary. Same timeouts as the primary. In tests it mirrors the primary's test database.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    for _setting in ("ATOMIC_REQUESTS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        DATABASES["replica"][_setting] = DATABASES["default"][_setting]
    DATABASES["replica"].setdefault("OPTIONS", {}).update(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["common.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache every process and machine shares: sessions, throttles, the webhook's replay memory and the cached
# rules live here (never in a process's memory). CACHE_URL selects it: Redis in production
# (redis://127.0.0.1:6379/0, Django's own RedisCache); by default Django's database cache, a table in the
# database above, which every process on the machine shares with nothing to install (`migrate` creates it).
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://django_cache")}
if CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
    # Django culls the table past MAX_ENTRIES (300 by default): what it forgets there (sessions, kept rules) is
    # read again from the database.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)
    # Throttles, the sign-in check and the webhook's replay memory must not be forgotten early, or flooding the
    # cache with keys (new sessions, say) would reset every limit. So they have a table of their own
    # (common.throttle.store), which only their slots fill: each slot is taken by a request that passed its
    # limits, and lives at most an hour, and Django culls expired entries first. Its MAX_ENTRIES (1,000,000) is
    # over a million such requests within the hour; CULL_FREQUENCY 3 is Django's own.
    CACHES["throttles"] = {
        "BACKEND": CACHES["default"]["BACKEND"],
        "LOCATION": "django_cache_throttles",
        "OPTIONS": {
            "MAX_ENTRIES": env.int("THROTTLE_CACHE_MAX_ENTRIES", default=1_000_000),
            "CULL_FREQUENCY": 3,
        },
    }
else:
    if CACHES["default"]["BACKEND"].endswith("RedisCache"):
        # Every wait on the cache is bounded, like every wait on the database.
        _redis_options = CACHES["default"].setdefault("OPTIONS", {})
        _redis_options.setdefault("socket_connect_timeout", env.float("CACHE_CONNECT_TIMEOUT_S", default=2))
        _redis_options.setdefault("socket_timeout", env.float("CACHE_TIMEOUT_S", default=2))
    # Redis evicts nothing under its default policy (noeviction): throttles share the one cache.
    CACHES["throttles"] = CACHES["default"]

AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "profiles"
LOGOUT_REDIRECT_URL = "login"

# English and Spanish (R-I18N-1): each named in its own language on the chooser. The catalogs are
# locale/<code>/LC_MESSAGES/django.po, compiled by `manage.py compile_catalogs` (tasks.py does it on setup).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# locale_overrides: our tú for the few library messages our pages show (see its header); after locale.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
# The chooser's choice lasts a year, like the other cookies a visitor's choice sets; no script reads it. It is
# strictly necessary (a setting the visitor asked for), listed in the cookie registry (consent migration 0012).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Sessions in the shared cache, backed by the database: a signed-in request usually reads no session row, and a
# session outlives a cache restart.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy without inline script or style (django-csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Login throttling (django-axes): lock a username from one address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form posts the email as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
# Count failures against the normalised email, so "EU@example.com" and " eu@example.com" share one counter.
AXES_USERNAME_CALLABLE = "accounts.axes.lockout_username"
# No log of successful sign-ins (email, IP address, user agent): nothing here needs it. Failed attempts are kept
# only while they count towards a lock-out; `manage.py purge_login_records` (run daily) removes them after
# the cool-off and any access log older than LOGIN_RECORD_RETENTION_DAYS.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
LOGIN_RECORD_RETENTION_DAYS = env.int("LOGIN_RECORD_RETENTION_DAYS", default=30)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The lock-out answers in the form of the answer it replaces: the page above, or the API's JSON 429.
AXES_LOCKOUT_CALLABLE = "common.problems.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="US")

# The client's address from a trusted proxy header (e.g. "X-Real-IP"), for throttles and django-axes; unset: the
# connection's address (common.http.client_ip).
PRIVACY_CLIENT_IP_HEADER = env.str("PRIVACY_CLIENT_IP_HEADER", default="") or None
AXES_CLIENT_IP_CALLABLE = "common.http.client_ip"
# Jurisdiction of a request (ISO 3166-2) from a trusted proxy header, e.g. "X-Privacy-Region"; unset by default.
PRIVACY_REGION_HEADER = env.str("PRIVACY_REGION_HEADER", default="") or None
# Honour Global Privacy Control everywhere, not only in the jurisdictions whose law requires it (R-GPC-2).
PRIVACY_GPC_EVERYWHERE = env.bool("PRIVACY_GPC_EVERYWHERE", default=False)
# R-API-1: the bearer token downstream systems send to /api/v1/eligibility. Empty (the default): the API refuses
# everyone. Use a long random value (python -c "import secrets; print(secrets.token_urlsafe(32))").
PRIVACY_API_TOKEN = env.str("PRIVACY_API_TOKEN", default="")
# R-API-2: what every answer's GPP string declares for the business (docs/downstream.md). The notices of sale,
# sharing and targeted advertising and of the right to opt out are given (the privacy pages give them): true;
# ad transactions covered by the IAB Multi-State Privacy Agreement: false; if covered, its mode, "opt_out" or
# "service_provider" (empty otherwise). A bad combination stops start-up (system check consent.E001).
PRIVACY_GPP_NOTICES_GIVEN = env.bool("PRIVACY_GPP_NOTICES_GIVEN", default=True)
PRIVACY_GPP_MSPA_COVERED = env.bool("PRIVACY_GPP_MSPA_COVERED", default=False)
PRIVACY_GPP_MSPA_MODE = env.str("PRIVACY_GPP_MSPA_MODE", default="")
# R-API-3: pages of the change feed (/api/v1/changes and its cursor) each service token may read per second,
# counted in the shared cache across every process; one more in the same second is 429 with Retry-After.
PRIVACY_FEED_PAGES_PER_SECOND = env.int("PRIVACY_FEED_PAGES_PER_SECOND", default=50)
# The mobile app's tokens and devices (consent.services.devices). A token stops working after this many days
# without use; its use is recorded at most once a day, so that is at worst a day sooner after its last request. An
# account keeps at most this many tokens (issuing one more retires the least recently used) and registers at most
# this many devices (one more is refused with 409 until one is signed out). Each at least 1.
PRIVACY_APP_TOKEN_IDLE_DAYS = env.int("PRIVACY_APP_TOKEN_IDLE_DAYS", default=90)
PRIVACY_APP_TOKENS_PER_ACCOUNT = env.int("PRIVACY_APP_TOKENS_PER_ACCOUNT", default=10)
PRIVACY_DEVICES_PER_ACCOUNT = env.int("PRIVACY_DEVICES_PER_ACCOUNT", default=10)
# The date /.well-known/gpc.json reports as the last change of how this site handles the signal (R-GPC-7).
PRIVACY_GPC_LAST_UPDATE = "2026-11-25"
# Email and text messages (R-EM-*, R-SMS-*). Absolute links in email (the one-click unsubscribe) start here.
PRIVACY_SITE_URL = env.str("PRIVACY_SITE_URL", default="http://127.0.0.1:8000")
# Where a member reaches support (an address, a phone number or a page), named in the notice sent when support
# changes a member's email; the site's address when empty.
PRIVACY_SUPPORT_CONTACT = env.str("PRIVACY_SUPPORT_CONTACT", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Privacy Center <no-reply@example.com>")
# How long a one-click unsubscribe link works (R-EM-2); an older one gets a page saying how to unsubscribe.
UNSUBSCRIBE_LINK_MAX_AGE_DAYS = env.int("UNSUBSCRIBE_LINK_MAX_AGE_DAYS", default=60)
# Background tasks (Django's Tasks API, the django-tasks backport): marketing email and texts, password-reset
# links and codes. The database backend keeps the queue in our own database (`manage.py db_worker` runs it). A
# deployment whose database should not carry the queue sets TASKS_BACKEND=django_tasks_rq.RQBackend and RQ_URL
# (Redis Queue; install requirements/rq.lock) and runs `manage.py rqworker --job-class django_tasks_rq.Job default`.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")
TASKS: dict[str, dict[str, Any]] = {"default": {"BACKEND": TASKS_BACKEND}}
if TASKS_BACKEND == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {
        "default": {"URL": env.str("RQ_URL", default="redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 600},
    }

# Where text messages go (common.sms): the console locally; in production a provider (the HTTP backend by
# default, which needs SMS_PROVIDER_URL and SMS_PROVIDER_TOKEN; `check --deploy` refuses the console there).
SMS_BACKEND = env.str("SMS_BACKEND", default="common.sms.backends.ConsoleBackend")
SMS_PROVIDER_URL = env.str("SMS_PROVIDER_URL", default="")
SMS_PROVIDER_TOKEN = env.str("SMS_PROVIDER_TOKEN", default="")
SMS_PROVIDER_TIMEOUT_S = env.float("SMS_PROVIDER_TIMEOUT_S", default=5)
# Password reset by text (accounts.reset): codes are valid this long, and each number and each email address may
# ask for this many codes an hour.
PASSWORD_RESET_CODE_MINUTES = 10
PASSWORD_RESET_CODE_TRIES = 5
# accounts.reset's limits, per rolling hour, held for the whole site in the shared cache: codes or links one
# requester (client address) may ask for one address or number; all requesters together for one address or number
# (waived for the member's own browser); one requester over all addresses; code checks per account and per requester.
PASSWORD_RESET_TEXTS_PER_HOUR = env.int("PASSWORD_RESET_TEXTS_PER_HOUR", default=3)
PASSWORD_RESET_PER_ADDRESS_PER_HOUR = env.int("PASSWORD_RESET_PER_ADDRESS_PER_HOUR", default=10)
PASSWORD_RESET_PER_REQUESTER_PER_HOUR = env.int("PASSWORD_RESET_PER_REQUESTER_PER_HOUR", default=20)
PASSWORD_RESET_CODE_TRIES_PER_HOUR = env.int("PASSWORD_RESET_CODE_TRIES_PER_HOUR", default=20)
# R-SMS-3: the shared secret the SMS provider signs inbound texts with (HMAC-SHA256). Empty: the webhook refuses
# everything. How far a signed request's timestamp may be from now, in seconds, before it counts as a replay.
SMS_WEBHOOK_SECRET = env.str("SMS_WEBHOOK_SECRET", default="")
SMS_WEBHOOK_MAX_AGE_S = env.int("SMS_WEBHOOK_MAX_AGE_S", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Reset links' and unsubscribe paths are masked in every record (Django's request warnings name the path).
    "filters": {"secret_paths": {"()": "common.logs.MaskSecretPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["secret_paths"]}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}
