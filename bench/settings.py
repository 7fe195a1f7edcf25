"""Benchmark settings: production, plus a bare view (bench/urls.py) to compare pages with.

Run with DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and, for plain HTTP on loopback, DJANGO_SECURE_SSL_REDIRECT=false
(bench/run_wrk.py sets them). Secure-only cookies stay on: the benchmark sends its Cookie header itself.
"""

import os

from netflix_privacy.settings.production import *  # noqa: F403
from netflix_privacy.settings.production import STATIC_ROOT

ROOT_URLCONF = "bench.urls"
# collectstatic goes to the benchmark's temporary folder, not the checkout.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)
