"""Test run: fast hasher, in-memory email, throttling on (it is under test), static files from finders."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PRIVACY_API_TOKEN = "test-service-token-0123456789"  # noqa: S105
SMS_WEBHOOK_SECRET = "test-webhook-secret-0123456789"  # noqa: S105
SMS_BACKEND = "common.sms.backends.LocmemBackend"
# Tasks run at once in tests; tests/consent/test_marketing_messages.py also runs them through the database backend
# and its worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Each test starts with an empty cache of its own, unless CACHE_URL names a shared one (CI runs the suite once on
# Redis); tests that prove several processes share the configured cache start real servers (tests.helpers.gunicorn).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# The throttles' store (common.throttle.store) is the same cache here: clearing one clears both.
CACHES["throttles"] = CACHES["default"]
