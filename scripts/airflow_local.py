"""A local Airflow 3 for this project: scheduler + dag-processor + api-server, LocalExecutor, SQLite.

``make airflow`` runs ``start``; ``make airflow-stop`` runs ``stop``. Standard library only, so it
runs with any Python; the Airflow commands come from ``.venv/bin``.

All components are started in one new session (``setsid``): the session id is recorded in
``$AIRFLOW_HOME/airflow-local.sid`` and ``stop`` signals every process of that session. A session,
not a process group, because the Task SDK supervisor moves each task into its own process group
(``setpgid``) but never into a new session, so a group kill would leave running tasks behind.

    python scripts/airflow_local.py start [--home DIR] [--port 8080] [--wait 300]
    python scripts/airflow_local.py stop  [--home DIR]
    python scripts/airflow_local.py status [--home DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
COMPONENTS = ("api-server", "dag-processor", "scheduler")
POOL = ("duckdb_writer", "1", "one task writes the DuckDB warehouse at a time")
SID_FILE = "airflow-local.sid"
SIMPLE_AUTH = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


def default_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or REPO / "airflow_home").resolve()


def _jwt_secret(home: Path) -> str:
    """One signing secret shared by every component (the api-server checks the tokens tasks use)."""
    path = home / ".jwt_secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def local_env(home: Path, port: int, log_port: int = 8793, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every component: the project's DAGs, SQLite, LocalExecutor sized for 2 cores."""
    env = dict(os.environ if base is None else base)
    data = REPO / "data"
    env.setdefault("PIPELINE_WAREHOUSE", str(data / "warehouse.duckdb"))
    env.setdefault("PIPELINE_SEEDS", str(REPO / "seeds"))
    env.setdefault("PIPELINE_REPORTS_DIR", str(data / "reports"))
    conf = {
        "CORE__DAGS_FOLDER": str(REPO / "dags"),
        "CORE__LOAD_EXAMPLES": "False",
        "CORE__EXECUTOR": "LocalExecutor",
        "CORE__PARALLELISM": env.get("AIRFLOW_LOCAL_PARALLELISM", "4"),
        "CORE__MAX_ACTIVE_TASKS_PER_DAG": "4",
        "CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "CORE__AUTH_MANAGER": SIMPLE_AUTH,
        "CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": env.get("AIRFLOW_LOCAL_ALL_ADMINS", "False"),
        "CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "API__HOST": "127.0.0.1",
        "API__PORT": str(port),
        "API__WORKERS": "1",
        "API_AUTH__JWT_SECRET": _jwt_secret(home),
        "LOGGING__WORKER_LOG_SERVER_PORT": str(log_port),
    }
    for key, value in conf.items():  # the caller's own AIRFLOW__* variables win
        env.setdefault(f"AIRFLOW__{key}", value)
    env["AIRFLOW_HOME"] = str(home)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def prepare(env: dict[str, str]) -> None:
    """Create or upgrade the metadata database and the DuckDB writer pool (idempotent)."""
    for args in (["db", "migrate"], ["pools", "set", *POOL]):
        out = subprocess.run([str(VENV_BIN / "airflow"), *args], env=env, cwd=REPO, capture_output=True,
                             text=True, timeout=600)
        if out.returncode != 0:
            raise SystemExit(f"airflow {' '.join(args)} failed:\n{out.stderr[-3000:]}")


def launch(home: Path, env: dict[str, str], components: tuple[str, ...] = COMPONENTS) -> int:
    """Start the components in a new session; return its id (also written to ``SID_FILE``).

    The scheduler starts once the api-server listens: tasks report to it (the execution API), and
    on a busy machine the api-server can take a minute to come up.
    """
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    airflow = shlex.quote(str(VENV_BIN / "airflow"))

    def start(component: str) -> str:
        return f"{airflow} {component} >>{shlex.quote(str(logs / (component + '.log')))} 2>&1 & "

    port = int(env["AIRFLOW__API__PORT"])
    later = [c for c in components if c == "scheduler"]
    script = "trap wait TERM INT; " + "".join(start(c) for c in components if c not in later)
    if later:
        script += (f"for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; "
                   "sleep 1; done; ")
        script += "".join(start(c) for c in later)
    # The leader shell waits for its children even when signalled, so none is left a zombie.
    leader = subprocess.Popen(["bash", "-c", script + "wait"], env=env, cwd=REPO, start_new_session=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (home / SID_FILE).write_text(str(leader.pid))
    return leader.pid


def session_pids(sid: int) -> list[int]:
    """Every live process whose session id is ``sid`` (read from /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2:].split()  # after "pid (comm) "
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def stop_session(sid: int, grace_s: float = 30.0) -> list[int]:
    """SIGTERM the whole session, wait, then SIGKILL what is left. Returns the pids that needed SIGKILL."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10.0)):
        left = session_pids(sid)
        if not left:
            return []
        for pid in left:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and session_pids(sid):
            time.sleep(0.2)
        if sig == signal.SIGTERM and not session_pids(sid):
            return []
    return left


def health(port: int) -> dict:
    """The api-server's view of the metadata DB, scheduler and dag-processor (empty when not up)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5) as resp:
            return json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError):
        return {}


def all_healthy(state: dict) -> bool:
    return all((state.get(k) or {}).get("status") == "healthy" for k in ("metadatabase", "scheduler", "dag_processor"))


def wait_healthy(port: int, timeout_s: float) -> dict:
    """Poll the health report until all components are healthy or ``timeout_s`` passes; return the last one."""
    deadline = time.monotonic() + timeout_s
    state: dict = {}
    while time.monotonic() < deadline:
        state = health(port)
        if all_healthy(state):
            return state
        time.sleep(2)
    return state


def sign_in_help(home: Path, env: dict[str, str]) -> str:
    if env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "").lower() == "true":
        return "sign-in: none (AIRFLOW_LOCAL_ALL_ADMINS=True: everyone is admin; local use only)"
    pw_file = home / "simple_auth_manager_passwords.json.generated"
    try:
        users = json.loads(pw_file.read_text())
        creds = ", ".join(f"{u} / {p}" for u, p in users.items())
    except (OSError, ValueError):
        creds = "(not generated yet)"
    return f"sign-in: {creds}  (simple auth manager; passwords in {pw_file})"


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cmd_start(args: argparse.Namespace) -> int:
    home = args.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    old = home / SID_FILE
    if old.exists() and session_pids(int(old.read_text())):
        print(f"already running (session {old.read_text().strip()}); `make airflow-stop` first", file=sys.stderr)
        return 1
    busy = [p for p in (args.port, args.log_port) if not port_free(p)]
    if busy:
        print(f"port(s) {busy} in use: set AIRFLOW_LOCAL_PORT / AIRFLOW_LOCAL_LOG_PORT", file=sys.stderr)
        return 1
    env = local_env(home, args.port, args.log_port)
    prepare(env)
    sid = launch(home, env)
    print(f"Airflow starting in session {sid}; logs in {home / 'logs'}", flush=True)
    state = wait_healthy(args.port, args.wait)
    ok = all_healthy(state)
    print(f"UI: http://127.0.0.1:{args.port}/   {sign_in_help(home, env)}")
    print(f"warehouse: {env['PIPELINE_WAREHOUSE']}   stop with: make airflow-stop")
    if not ok:
        print(f"not healthy after {args.wait:.0f}s: {state}; see the logs", file=sys.stderr)
    return 0 if ok else 1


def cmd_stop(args: argparse.Namespace) -> int:
    sid_file = args.home.resolve() / SID_FILE
    if not sid_file.exists():
        print("not running (no session recorded)")
        return 0
    sid = int(sid_file.read_text())
    killed = stop_session(sid)
    sid_file.unlink()
    left = session_pids(sid)
    print(f"stopped session {sid}" + (f" ({len(killed)} needed SIGKILL)" if killed else ""))
    return 1 if left else 0


def cmd_status(args: argparse.Namespace) -> int:
    sid_file = args.home.resolve() / SID_FILE
    sid = int(sid_file.read_text()) if sid_file.exists() else 0
    pids = session_pids(sid) if sid else []
    print(json.dumps({"session": sid or None, "processes": len(pids), "health": health(args.port)}))
    return 0 if pids else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "status"))
    parser.add_argument("--home", type=Path, default=default_home(), help="AIRFLOW_HOME (default: airflow_home/)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("AIRFLOW_LOCAL_PORT", "8080")))
    parser.add_argument("--log-port", type=int, default=int(os.environ.get("AIRFLOW_LOCAL_LOG_PORT", "8793")))
    parser.add_argument("--wait", type=float, default=300.0, help="seconds to wait for a healthy start")
    args = parser.parse_args(argv)
    return {"start": cmd_start, "stop": cmd_stop, "status": cmd_status}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
