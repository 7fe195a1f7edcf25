"""Settings for bench/comms.py: the local stack, tasks run in-process, email kept nowhere (see comms_backend)."""

from netflix_privacy.settings.local import *  # noqa: F403

DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": True}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "bench.comms_backend.CountingLocmemBackend"
