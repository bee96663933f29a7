"""newsgraph's database layer: models, sessions and every SQL statement the app runs."""
