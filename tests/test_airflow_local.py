"""The local launcher without Airflow: its environment, and stopping a whole session, including a
child that moved to its own process group the way the Task SDK supervisor moves every task."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from scripts.airflow_local import local_env, session_pids, stop_session

CHILD_OWN_GROUP = "import os, time; os.setpgid(0, 0); time.sleep(300)"


def _session(tmp_path) -> tuple[int, subprocess.Popen]:
    ready = tmp_path / "ready"
    script = (f"sleep 300 & {sys.executable} -c '{CHILD_OWN_GROUP}' & "
              f"sleep 0.5; touch {ready}; wait")
    leader = subprocess.Popen(["bash", "-c", script], start_new_session=True)
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return leader.pid, leader


def _pgids(pids: list[int]) -> set[int]:
    return {os.getpgid(p) for p in pids if os.path.exists(f"/proc/{p}")}


def test_a_group_kill_misses_the_child_in_its_own_group_but_the_session_stop_does_not(tmp_path):
    sid, leader = _session(tmp_path)
    try:
        pids = session_pids(sid)
        assert len(pids) == 3 and len(_pgids(pids)) == 2  # bash + sleep in the group, python in its own
        os.killpg(sid, signal.SIGTERM)
        leader.wait(timeout=10)
        time.sleep(0.5)
        survivors = session_pids(sid)
        assert len(survivors) == 1, "only the child in its own process group should survive a group kill"
        assert stop_session(sid, grace_s=5) == []  # it goes on SIGTERM
        assert session_pids(sid) == []
    finally:
        for pid in session_pids(sid):
            os.kill(pid, signal.SIGKILL)


def test_local_env(tmp_path):
    env = local_env(tmp_path, 18123, 18124, base={"PATH": "/usr/bin", "AIRFLOW__CORE__PARALLELISM": "2"})
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18123/execution/"
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1" and env["AIRFLOW__API__PORT"] == "18123"
    assert env["AIRFLOW__CORE__PARALLELISM"] == "2"  # the caller's own setting wins
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path / 'airflow.db'}"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"].endswith("/dags")
    assert env["PATH"].split(os.pathsep)[0].endswith(".venv/bin")
    again = local_env(tmp_path, 18123, 18124, base={})
    assert again["AIRFLOW__API_AUTH__JWT_SECRET"] == env["AIRFLOW__API_AUTH__JWT_SECRET"]  # one secret per home
    assert len(env["AIRFLOW__API_AUTH__JWT_SECRET"]) >= 32
    assert oct((tmp_path / ".jwt_secret").stat().st_mode & 0o777) == "0o600"
