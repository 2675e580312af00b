# The project on the official Airflow image, at the version pinned in uv.lock.
# Built by docker-compose.yml; see the README's "Airflow in containers" section.
FROM apache/airflow:3.3.2-python3.11

USER root
RUN mkdir -p /opt/airflow/data /opt/project && chown -R airflow:0 /opt/airflow/data /opt/project
USER airflow

WORKDIR /opt/project
# Dependencies first (cached until the lock changes): exactly the lock's versions, without the dev
# group and without the project itself; then the project, with no dependency resolution at all.
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
RUN pip install --no-cache-dir "uv==0.13.9" \
 && python -m uv export --frozen --no-dev --no-emit-project --no-hashes -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt
COPY --chown=airflow:0 pipeline ./pipeline
COPY --chown=airflow:0 seeds ./seeds
COPY --chown=airflow:0 expectations ./expectations
COPY --chown=airflow:0 dags /opt/airflow/dags
# Editable, so the package finds expectations/ beside it (pipeline/validate.py looks there).
RUN pip install --no-cache-dir --no-deps -e .

ENV PIPELINE_WAREHOUSE=/opt/airflow/data/warehouse.duckdb \
    PIPELINE_SEEDS=/opt/project/seeds \
    PIPELINE_REPORTS_DIR=/opt/airflow/data/reports
WORKDIR /opt/airflow
