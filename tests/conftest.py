"""Shared fixtures. The network is blocked for the whole session except 127.0.0.1 / ::1."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.httpserver import StaticServer

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
_real_connect = socket.socket.connect
_LOOPBACK = ("127.", "::1", "localhost")


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else str(address)
    if isinstance(address, tuple) and not str(host).startswith(_LOOPBACK):
        raise ConnectionRefusedError(f"tests may not reach {host}: only 127.0.0.1 is allowed")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _block_network():
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def _langid_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory):
    """The unpacked language model goes to a temp dir, never the user's own cache (worker processes
    inherit this environment)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_LANGID_CACHE", str(tmp_path_factory.mktemp("langid-cache")))
        yield


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a fresh warehouse in a temp dir; loopback allowed; no politeness delays."""
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("")
    return Settings.from_env({
        "PIPELINE_WAREHOUSE": str(tmp_path / "wh" / "warehouse.duckdb"),
        "PIPELINE_FEEDS": str(feeds),
        "PIPELINE_SEEDS": str(REPO / "seeds"),
        "PIPELINE_ALLOW_PRIVATE_HOSTS": "127.0.0.1,localhost",
        "PIPELINE_HOST_DELAY": "0",
        "PIPELINE_MIN_REFRESH_MINUTES": "0",
        "PIPELINE_HTTP_DEADLINE": "10",
        "PIPELINE_HTTP_TIMEOUT": "5",
        "PIPELINE_REPORTS_DIR": str(tmp_path / "reports"),
    })


@pytest.fixture
def site_server():
    """A real HTTP server on 127.0.0.1 serving tests/fixtures/site/."""
    server = StaticServer(REPO / "tests" / "fixtures" / "site")
    server.start()
    yield server
    server.stop()
