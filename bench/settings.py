"""Benchmark settings: the local stack without debug, plus a bare view (bench/urls.py) for comparison."""

from netflix_privacy.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": True}
AXES_ENABLED = True
# Serve static files from the source folders, as the local settings do, with no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
