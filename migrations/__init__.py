"""Aerich migrations, one folder per dialect (SQLite and PostgreSQL SQL differ)."""
