"""docker-compose.yml and the Dockerfile, checked as files (there is no Docker engine here): the
services, the Airflow version against the lock, LocalExecutor by default with a Celery profile,
the shared warehouse volume, and a healthcheck on every service."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from tests.airflow_env import REPO

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (REPO / "Dockerfile").read_text()
AIRFLOW_SERVICES = ("airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker", "flower")


def _locked(name: str) -> str:
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    return next(p["version"] for p in lock["package"] if p["name"] == name)


def _python_minor() -> str:
    spec = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    return re.search(r">=\s*(3\.\d+)", spec).group(1)


def test_dockerfile_builds_on_the_locked_airflow_image():
    base = re.findall(r"^FROM\s+(\S+)", DOCKERFILE, flags=re.M)
    assert base == [f"apache/airflow:{_locked('apache-airflow')}-python{_python_minor()}"]
    assert "--frozen" in DOCKERFILE and "--no-dev" in DOCKERFILE, "dependencies must come from the lock"
    assert re.search(r"COPY .*\bdags\b", DOCKERFILE)


def test_every_airflow_service_uses_the_project_image_at_the_locked_version():
    version = _locked("apache-airflow")
    for name in AIRFLOW_SERVICES:
        svc = SERVICES[name]
        assert svc["build"] == "." and svc["image"].endswith(f":{version}"), name


def test_services_and_commands():
    commands = {name: SERVICES[name].get("command") for name in AIRFLOW_SERVICES if name != "airflow-init"}
    assert commands == {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
                        "airflow-dag-processor": "dag-processor", "airflow-triggerer": "triggerer",
                        "airflow-worker": "celery worker", "flower": "celery flower"}
    init = "\n".join(SERVICES["airflow-init"]["command"])
    assert "airflow db migrate" in init and "pools set duckdb_writer 1" in init


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_has_a_healthcheck(name):
    check = SERVICES[name].get("healthcheck")
    assert check and check["test"][0] in ("CMD", "CMD-SHELL") and len(check["test"]) > 1, name
    assert check.get("interval") and check.get("retries"), name


def test_postgres_metadata_and_local_executor_by_default():
    env = SERVICES["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW_EXECUTOR:-LocalExecutor}"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080/")
    assert "SimpleAuthManager" in env["AIRFLOW__CORE__AUTH_MANAGER"]
    assert SERVICES["postgres"]["image"].startswith("postgres:")
    assert "profiles" not in SERVICES["postgres"]


def test_celery_pieces_only_in_the_celery_profile():
    celery = {name for name, svc in SERVICES.items() if "celery" in svc.get("profiles", [])}
    assert celery == {"redis", "airflow-worker", "flower"}
    default = set(SERVICES) - celery
    for name in default:  # the default stack must start without the profile's services
        assert not set(SERVICES[name].get("depends_on", {})) & celery, name
    assert SERVICES["airflow-worker"]["environment"]["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")


def test_warehouse_on_a_shared_volume_for_every_task_runner():
    assert "warehouse" in COMPOSE["volumes"]
    for name in ("airflow-scheduler", "airflow-worker", "airflow-init"):
        mounts = SERVICES[name]["volumes"]
        assert "warehouse:/opt/airflow/data" in mounts, name
        assert SERVICES[name]["environment"]["PIPELINE_WAREHOUSE"].startswith("/opt/airflow/data/")


def test_services_wait_for_healthy_dependencies():
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker"):
        deps = SERVICES[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy", name
        assert deps["airflow-init"]["condition"] == "service_completed_successfully", name
    assert SERVICES["airflow-worker"]["depends_on"]["redis"]["condition"] == "service_healthy"
