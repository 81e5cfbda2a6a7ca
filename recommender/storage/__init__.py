"""Storage: the SQL schema (one declarative base, Alembic migrations), the record store and
its change sequence, API keys, the change log, backups and file ingest."""
