"""Developer scripts (local Airflow)."""
