"""Paths as logs may keep them: a password reset link's path (`/password-reset/<uidb64>/<token>/`) is a secret
that signs its holder in, so every log names it by its shape, never its value; query strings (one-click unsubscribe
tokens, admin searches for an email) are never logged at all.

Two documented hooks use it: gunicorn's `logger_class` (AccessLogger, named in gunicorn.conf.py) for the access
log, and a logging filter (MaskSecretPaths, on the handler in settings.LOGGING) for Django's own request and
security warnings ("Forbidden (CSRF token missing.): /password-reset/…/…/").
"""

import logging
import re
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # gunicorn ships no types

# Django's reset views that hold no secret; any other two segments under /password-reset/ are a reset link's.
_RESET_LINK = re.compile(r"/password-reset/(?!(?:text|sent|done)/)[^/?#\s]+/[^/?#\s]+/?")
# The unsubscribe token travels in the query string; anything after the path itself is masked all the same.
_UNSUBSCRIBE = re.compile(r"/unsubscribe/[^?#\s]+")


def masked_path(path: str) -> str:
    """`path` with a reset link's uid and token, and anything after /unsubscribe/, replaced by their shape."""
    path = _RESET_LINK.sub("/password-reset/<uidb64>/<token>/", path)
    return _UNSUBSCRIBE.sub("/unsubscribe/<token>", path)


class AccessLogger(Logger):
    """gunicorn's logger (its documented `logger_class` setting), with the request's path masked and its query
    string dropped in every atom the access log format can name."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        path = masked_path(str(environ.get("PATH_INFO") or ""))
        atoms["U"] = path
        atoms["q"] = ""
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["f"] = "-"  # a referrer is another page's address, query string included
        return atoms


class MaskSecretPaths(logging.Filter):
    """Every log record's message arguments with reset-link and unsubscribe paths masked (masked_path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(masked_path(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = masked_path(record.msg)
        return True
