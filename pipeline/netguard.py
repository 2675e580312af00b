"""Which addresses the pipeline may reach: http(s) to public addresses only, unless allowed.

Two layers:

- ``check_url`` judges a URL before any request (scheme, host, the addresses it resolves to). Odd
  spellings such as ``127.1``, ``0x7f.0.0.1``, ``2130706433`` or ``[::ffff:127.0.0.1]`` are judged by
  the address they mean, because hosts are resolved the way the socket layer resolves them.
- ``GuardedBackend`` is the httpcore network backend every connection goes through. It resolves the
  host once, vets every address, and connects to exactly a vetted address (TLS still uses the host
  name for SNI and certificate checks, and the Host header is unchanged). There is no gap between
  the check and the connection for DNS rebinding to slip through, and every redirect hop passes here.

``PIPELINE_ALLOW_PRIVATE_HOSTS`` names hosts (by the name in the URL) or addresses that may be
reached although they are private or loopback.

Every socket operation is also bounded by the current fetch's total deadline (``deadline_scope``),
so a server that drips one byte at a time is cut off when the deadline passes, not later.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
import typing
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlsplit

import httpcore

from pipeline.errors import FetchError

ALLOWED_SCHEMES = ("http", "https")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(addr: Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address):
        if addr in _NAT64:
            return is_public(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
        for embedded in (addr.ipv4_mapped, addr.sixtofour, (addr.teredo or (None, None))[1]):
            if embedded is not None:
                return is_public(embedded)
    return bool(addr.is_global) and not addr.is_multicast


_DNS_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dns")


def _getaddrinfo(host: str, port: int) -> list:
    """``getaddrinfo``, but not past the current fetch's deadline (the resolver has no timeout of ours)."""
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    future = _DNS_POOL.submit(lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    try:
        return future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout as exc:
        raise FetchError("timeout", f"resolving {host} ran past the total deadline", transient=True) from exc


def resolve(host: str, port: int) -> list[Address]:
    try:
        infos = _getaddrinfo(host, port)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError("dns failure", f"{host}: {exc}", transient=True) from exc
    out: list[Address] = []
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if addr not in out:
            out.append(addr)
    return out


def vet(host: str, addrs: list[Address], allowed: frozenset[str]) -> list[Address]:
    """The addresses that may be connected to; ``FetchError('refused address')`` if any may not.

    A host named in ``allowed`` may use all its addresses; otherwise every address must be public
    or itself named in ``allowed`` (a name that resolves to one public and one private address is
    refused as a whole: that is how rebinding tricks look).
    """
    name = host.lower().strip("[]")
    if not addrs:
        raise FetchError("refused address", f"{name} resolves to nothing")
    if name in allowed:
        return addrs
    bad = [a for a in addrs if not is_public(a) and str(a) not in allowed]
    if bad:
        raise FetchError("refused address", f"{name} resolves to non-public {bad[0]}")
    return addrs


def check_url(url: str, allowed: frozenset[str] = frozenset()) -> list[Address]:
    """Raise ``FetchError('refused address' | 'refused scheme')`` unless the URL may be fetched.

    Returns the vetted addresses. (The connection layer checks again, at connect time.)
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
    return vet(host, resolve(host, port), allowed)


# --- the total deadline of the fetch running in this thread --------------------------------------

_local = threading.local()


@contextlib.contextmanager
def deadline_scope(deadline: float) -> Iterator[None]:
    """Every socket operation in this thread, inside the block, ends by ``deadline`` (monotonic)."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = previous


def bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the current deadline; raise ``exc`` when none is."""
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise exc("total deadline exceeded")
    return left if timeout is None else min(timeout, left)


class GuardedStream(httpcore.NetworkStream):
    """A connected stream whose every read and write ends by the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: typing.Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, bounded(timeout, httpcore.ConnectTimeout))
        return GuardedStream(tls)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve once, vet, connect to the vetted address: no DNS-rebinding gap."""

    def __init__(self, allowed: frozenset[str], inner: httpcore.NetworkBackend | None = None) -> None:
        self.allowed = allowed
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        addrs = vet(host, resolve(host, port), self.allowed)
        last: Exception | None = None
        for addr in addrs:
            try:
                stream = self._inner.connect_tcp(str(addr), port, bounded(timeout, httpcore.ConnectTimeout),
                                                 local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
                continue
            return GuardedStream(stream)
        raise last or httpcore.ConnectError(f"could not connect to {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[typing.Any] | None = None) -> httpcore.NetworkStream:
        raise FetchError("refused address", "unix sockets are never used")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
