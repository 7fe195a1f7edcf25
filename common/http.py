"""Facts about a request that several apps need."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: from the trusted proxy's header when one is configured (PRIVACY_CLIENT_IP_HEADER,
    e.g. X-Real-IP; unset by default), else the connection's. Throttles and django-axes' lock-out count per this
    address (AXES_CLIENT_IP_CALLABLE). A header that is not one address is ignored, never trusted."""
    header = settings.PRIVACY_CLIENT_IP_HEADER
    if header:
        value = request.headers.get(header, "").strip()
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            pass
    return str(request.META.get("REMOTE_ADDR") or "")
