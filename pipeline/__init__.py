"""Prisoner-exchange ingest pipeline."""
