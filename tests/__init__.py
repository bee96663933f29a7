"""newsgraph's test suite: through HTTP, against real SQLite and PostgreSQL databases."""
