"""Alembic migrations of the store's database (run by ``recommender.storage.migrate``)."""
