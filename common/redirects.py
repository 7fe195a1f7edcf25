"""Where a form may send the browser next."""

import unicodedata

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_local_path(request: HttpRequest, value: object) -> str | None:
    """`value` if it is a path on this site ("/account/"), else None: never a URL name, another host, a
    scheme-relative "//host" or anything with control characters (which would also end up in logs)."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith(("//", "/\\")) or len(value) > 2000:
        return None
    if any(unicodedata.category(char)[0] == "C" for char in value):
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False):
        return None
    return value
