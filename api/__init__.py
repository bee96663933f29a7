"""newsgraph's GraphQL API: the schema by domain, the HTTP app and the per-request context."""
