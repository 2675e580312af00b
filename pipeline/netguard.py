"""Which URLs the pipeline may fetch: http(s) to public addresses only, unless allowed by name.

Hosts are resolved the way the socket layer will resolve them (``getaddrinfo``), so odd spellings
such as ``127.1``, ``0x7f.0.0.1`` or ``[::ffff:127.0.0.1]`` are judged by the address they mean.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from pipeline.errors import FetchError

ALLOWED_SCHEMES = ("http", "https")


def is_public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return is_public(addr.ipv4_mapped)
    return bool(addr.is_global) and not addr.is_multicast


def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns failure", f"{host}: {exc}", transient=True) from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def host_allowed(host: str, addrs: list, allowed: frozenset[str]) -> bool:
    if host.lower() in allowed:
        return True
    return any(str(a) in allowed for a in addrs)


def check_url(url: str, allowed: frozenset[str] = frozenset()) -> list:
    """Raise ``FetchError('refused address' | 'refused scheme')`` unless the URL may be fetched.

    Returns the resolved addresses, so that a caller can connect to exactly these.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise FetchError("refused scheme", parts.scheme or url[:40])
    host = (parts.hostname or "").strip()
    if not host:
        raise FetchError("refused address", "no host")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as exc:
        raise FetchError("refused address", f"bad port in {url[:80]}") from exc
    addrs = resolve(host, port)
    if host_allowed(host, addrs, allowed):
        return addrs
    bad = [a for a in addrs if not is_public(a)]
    if bad or not addrs:
        raise FetchError("refused address", f"{host} resolves to non-public {bad[0] if bad else 'nothing'}")
    return addrs
