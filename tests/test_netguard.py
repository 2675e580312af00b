"""7. No request to a non-public address or a non-http(s) scheme, checked where the connection is made.

The hostile server listens on 127.0.0.1; only the *name* ``localhost`` is allowed here, so every
other spelling of the same address must be refused, and the server must never see the request.
"""

from __future__ import annotations

import socket

import httpcore
import pytest

from pipeline.errors import FetchError
from pipeline.http import Fetcher
from pipeline.netguard import GuardedBackend, check_url, is_public
from tests.hostile_server import HostileServer, redirect, static

ALLOWED = frozenset({"localhost"})


@pytest.fixture
def hostile():
    server = HostileServer().start()
    server.add("/secret", static(b"internal only"))
    yield server
    server.stop()


@pytest.fixture
def guarded(settings):
    return settings.with_(allow_private_hosts=ALLOWED, http_retries=0)


def _spellings(port: int) -> list[str]:
    return [f"http://{host}:{port}/secret" for host in (
        "127.0.0.1", "127.1", "0x7f.0.0.1", "0x7f000001", "2130706433", "0177.0.0.1", "017700000001",
        "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]", "0.0.0.0", "[::]", "127.0.0.1.", "[64:ff9b::7f00:1]",
        "[2002:7f00:1::1]",
    )]


PRIVATE = ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/",
           "http://172.16.0.1/", "http://100.64.0.1/", "http://[fd00::1]/", "http://[fe80::1]/",
           "http://224.0.0.1/", "http://0x0a000001/", "http://metadata.google.internal./"]
SCHEMES = ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1:70/_GET", "javascript:alert(1)",
           "data:text/html,<script>alert(1)</script>", "dict://127.0.0.1:11211/stat", "//127.0.0.1/x"]


def test_every_spelling_of_loopback_is_refused_before_and_at_connect(guarded, hostile):
    fetcher = Fetcher(guarded)
    for url in _spellings(hostile.port):
        with pytest.raises(FetchError) as err:
            fetcher.fetch(url, max_bytes=1000)
        assert err.value.reason in ("refused address", "dns failure"), (url, err.value)
        if err.value.reason == "dns failure":  # some resolvers do not read odd spellings at all
            continue
        with pytest.raises(FetchError, match="refused address"):
            check_url(url, ALLOWED)
    assert hostile.requests == []


@pytest.mark.parametrize("url", PRIVATE)
def test_private_and_metadata_addresses_are_refused(guarded, url):
    with pytest.raises(FetchError) as err:
        Fetcher(guarded).fetch(url, max_bytes=1000)
    assert err.value.reason in ("refused address", "dns failure")


@pytest.mark.parametrize("url", SCHEMES)
def test_other_schemes_are_refused(guarded, url):
    with pytest.raises(FetchError, match="refused scheme"):
        Fetcher(guarded).fetch(url, max_bytes=1000)


def test_an_allowed_name_is_fetched(guarded, hostile):
    res = Fetcher(guarded).fetch(hostile.url("/secret", host="localhost"), max_bytes=1000)
    assert res.body == b"internal only"


@pytest.mark.parametrize("target", ["http://127.0.0.1:{port}/secret", "http://169.254.169.254/",
                                    "file:///etc/passwd", "gopher://localhost:{port}/secret"])
def test_every_redirect_hop_is_checked(guarded, hostile, target):
    hostile.add("/hop", redirect(target.format(port=hostile.port)))
    with pytest.raises(FetchError) as err:
        Fetcher(guarded).fetch(hostile.url("/hop", host="localhost"), max_bytes=1000)
    assert err.value.reason in ("refused address", "refused scheme")
    assert hostile.hits("/hop") == 1 and hostile.hits("/secret") == 0


def _fake_dns(monkeypatch, answers: dict[str, list[list[str]]]):
    """A resolver that answers each listed name from successive lists (a rebinding attacker)."""
    real = socket.getaddrinfo
    calls: dict[str, int] = {}

    def fake(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        n = calls[host] = calls.get(host, 0) + 1
        ips = answers[host][min(n, len(answers[host])) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ips]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return calls


def test_dns_rebinding_between_check_and_connect_is_refused(guarded, hostile, monkeypatch):
    calls = _fake_dns(monkeypatch, {"rebind.example": [["93.184.216.34"], ["127.0.0.1"]]})
    with pytest.raises(FetchError, match="refused address"):
        Fetcher(guarded).fetch(f"http://rebind.example:{hostile.port}/secret", max_bytes=1000)
    assert calls["rebind.example"] == 2  # passed the early check, refused where it connects
    assert hostile.requests == []


def test_connection_goes_to_the_vetted_address_with_the_original_host(guarded, hostile, monkeypatch):
    _fake_dns(monkeypatch, {"feeds.example": [["127.0.0.1"]]})
    settings = guarded.with_(allow_private_hosts=frozenset({"feeds.example"}))
    res = Fetcher(settings).fetch(f"http://feeds.example:{hostile.port}/secret", max_bytes=1000)
    assert res.body == b"internal only"
    assert hostile.requests[-1][1]["Host"] == f"feeds.example:{hostile.port}"


def test_backend_refuses_on_its_own(hostile):
    """Even a caller that skipped ``check_url`` cannot open a connection to a private address."""
    with pytest.raises(FetchError, match="refused address"):
        GuardedBackend(frozenset()).connect_tcp("127.0.0.1", hostile.port, timeout=1)
    with pytest.raises(FetchError, match="refused address"):
        GuardedBackend(frozenset()).connect_tcp("0x7f.1", hostile.port, timeout=1)
    stream = GuardedBackend(frozenset({"127.0.0.1"})).connect_tcp("127.0.0.1", hostile.port, timeout=1)
    assert isinstance(stream, httpcore.NetworkStream)
    stream.close()


def test_is_public():
    import ipaddress as ip

    assert is_public(ip.ip_address("93.184.216.34")) and is_public(ip.ip_address("2606:4700::1111"))
    for private in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "::ffff:10.0.0.1", "::1", "fc00::1",
                    "64:ff9b::a00:1", "2002:a00:1::", "0.0.0.0", "255.255.255.255"):
        assert not is_public(ip.ip_address(private)), private


def _self_signed(host: str, folder) -> tuple[str, str]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_tls_to_the_vetted_address_keeps_sni_and_certificate_checks(guarded, monkeypatch, tmp_path):
    import ssl

    import pipeline.http

    pytest.importorskip("cryptography")
    cert, key = _self_signed("feeds.example", tmp_path)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    sni: list[str | None] = []
    server_ctx.sni_callback = lambda _sock, name, _ctx: sni.append(name)
    server = HostileServer()
    server.httpd.socket = server_ctx.wrap_socket(server.httpd.socket, server_side=True)
    server.add("/secret", static(b"over tls"))
    server.start()
    try:
        monkeypatch.setattr(pipeline.http, "_ssl_context", lambda: ssl.create_default_context(cafile=cert))
        _fake_dns(monkeypatch, {"feeds.example": [["127.0.0.1"]]})
        allowed = guarded.with_(allow_private_hosts=frozenset({"feeds.example", "127.0.0.1"}))
        res = Fetcher(allowed).fetch(f"https://feeds.example:{server.port}/secret", max_bytes=1000)
        assert res.body == b"over tls" and sni == ["feeds.example"]
        assert server.requests[-1][1]["Host"] == f"feeds.example:{server.port}"
        with pytest.raises(FetchError, match="connection error"):  # by address: the certificate does not match
            Fetcher(allowed).fetch(f"https://127.0.0.1:{server.port}/secret", max_bytes=1000)
    finally:
        server.stop()


def test_slow_name_resolution_ends_at_the_deadline(guarded, monkeypatch):
    import time

    real = socket.getaddrinfo

    def slow(host, *args, **kwargs):
        if host == "slow.example":
            time.sleep(3)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    start = time.monotonic()
    with pytest.raises(FetchError, match="timeout: resolving slow.example"):
        Fetcher(guarded.with_(http_deadline=1.0)).fetch("http://slow.example/feed.xml", max_bytes=1000)
    assert time.monotonic() - start < 1.5
