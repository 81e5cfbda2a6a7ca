"""Test helpers shared by several suites (no fixtures here: see ``tests/conftest.py``)."""
