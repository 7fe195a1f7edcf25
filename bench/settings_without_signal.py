"""bench.settings without consent's PrivacyMiddleware: the other side of "the signal middleware on and off" for
the bare view, which reads nothing from request.privacy."""

from bench.settings import *  # noqa: F403
from bench.settings import MIDDLEWARE

MIDDLEWARE = [name for name in MIDDLEWARE if name != "consent.middleware.PrivacyMiddleware"]
