"""Cleaner workers forked from one warm zygote, so a second worker (or a replacement) costs a fork.

Starting a cleaner worker costs about 1.6 CPU-s (interpreter, trafilatura and extractor imports, the
warm-up clean; ~3 without bytecode and ``pipeline.langid_model``'s cache); with N workers that is
paid N times, and again after every timeout or out-of-memory.
A ``Zygote`` is one such process, warmed up once and then only forking: asked over a Unix socket
(with the two pipe ends of the new worker passed along, ``SCM_RIGHTS``), it forks a child that is
warm at once and serves pages exactly as ``pipeline.cleanbound.serve`` does. The zygote has one
thread, so forking it is safe; it reaps ended workers before each fork and all of them before it
exits (so their CPU time is accounted to it, and to its parent once the zygote is reaped).
A child ends when its request pipe closes (its ``Cleaner`` is closed, or the parent is gone) or when
it is killed; the zygote ends when its socket closes (``close``, or the parent is gone).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from pipeline.cleanbound import START_TIMEOUT_S, _Worker

_ZYGOTE = "from pipeline.cleanfork import serve_zygote; serve_zygote({fd}, {extractor})"


class _Pid:
    """What ``_Worker`` needs of its process for a worker that is not this process's child."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float | None = None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while _alive(self.pid):
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
            time.sleep(0.01)
        self.returncode = -signal.SIGKILL if self.returncode is None else self.returncode
        return self.returncode


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


class _ForkedWorker(_Worker):
    def __init__(self, pid: int, to_child: int, from_child: int) -> None:  # noqa: D107 - no Popen here
        self.proc = _Pid(pid)  # type: ignore[assignment]
        self.to_child = Connection(to_child, readable=False)
        self.from_child = Connection(from_child, writable=False)
        self.owner = os.getpid()
        self.ready = False


class Zygote:
    """One warm process that forks cleaner workers on request (``fork``). Thread-safe."""

    def __init__(self, extractor: bool = True) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        with theirs:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _ZYGOTE.format(fd=theirs.fileno(), extractor=extractor)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env, close_fds=True,
                pass_fds=[theirs.fileno()])
        self.sock = ours
        self.sock.settimeout(START_TIMEOUT_S)  # the first answer waits for the zygote's warm-up
        self._lock = threading.Lock()

    def fork(self) -> _Worker | None:
        """A new warm worker, or None when the zygote cannot fork one (the caller starts one afresh)."""
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        try:
            with self._lock:
                socket.send_fds(self.sock, [b"f"], [req_r, rep_w])
                answer = self.sock.recv(16)
        except OSError:
            answer = b""
        finally:
            os.close(req_r)
            os.close(rep_w)
        if len(answer) != 8:
            os.close(req_w)
            os.close(rep_r)
            return None
        return _ForkedWorker(int.from_bytes(answer, "little"), req_w, rep_r)

    def close(self) -> None:
        self.sock.close()  # the zygote sees end of file and exits
        try:
            self.proc.wait(5.0)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def serve_zygote(fd: int, extractor: bool) -> None:
    """The zygote's loop: warm up, then fork a worker for each request until the socket closes."""
    from pipeline.cleanbound import warm_up

    sock = socket.socket(fileno=fd)
    os.dup2(2, 1)  # a stray print goes to stderr
    warm_up(extractor)
    try:
        while True:
            try:
                _msg, fds, _flags, _addr = socket.recv_fds(sock, 16, 2)
            except OSError:
                return
            if len(fds) != 2:
                return  # end of file (the parent closed the socket, or is gone)
            _reap(block=False)
            _fork_worker(sock, fds)
    finally:
        _reap(block=True)  # the workers' CPU time then counts in ours, and so in our parent's


def _reap(block: bool) -> None:
    """Wait for ended workers (and, blocking, for all of them: they end when their pipes close)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _fork_worker(sock: socket.socket, fds: list[int]) -> None:
    from pipeline.cleanbound import serve_on

    pid = os.fork()
    if pid == 0:
        sock.close()
        try:
            serve_on(Connection(fds[0], writable=False), Connection(fds[1], readable=False))
        finally:
            os._exit(0)
    for f in fds:
        os.close(f)
    sock.sendall(pid.to_bytes(8, "little"))
