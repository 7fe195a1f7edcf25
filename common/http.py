"""Facts about a request that several apps need."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# An IPv6 client is counted by its /64: one subscriber's line or host is handed a whole /64 (RFC 6177's advice,
# and the smallest network SLAAC works in), so its addresses inside it are free for the taking, and a throttle
# per address would be a throttle on nothing.
IPV6_CLIENT_PREFIX = 64


def client_key(address: str) -> str:
    """The client, as every limit counts it: an IPv4 address itself; an IPv6 address as the first address of its
    /64 (an IPv4-mapped IPv6 address as the IPv4 address it maps). Anything that is no address is returned as it
    is (it counts as one client)."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False).network_address)
    return str(parsed)


def client_ip(request: HttpRequest) -> str:
    """The client as the throttles and django-axes' lock-out count it (AXES_CLIENT_IP_CALLABLE; client_key: IPv4
    per address, IPv6 per /64): from the trusted proxy's header when one is configured (PRIVACY_CLIENT_IP_HEADER,
    e.g. X-Real-IP; unset by default), else the connection's. A header that is not one address is ignored, never
    trusted."""
    header = settings.PRIVACY_CLIENT_IP_HEADER
    if header:
        value = request.headers.get(header, "").strip()
        try:
            return client_key(str(ipaddress.ip_address(value)))
        except ValueError:
            pass
    return client_key(str(request.META.get("REMOTE_ADDR") or ""))
