"""newsgraph: news as structured data, served over GraphQL."""

__version__ = "0.1.0"
