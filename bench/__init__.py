"""Benchmarks: a synthetic corpus, load drivers and comparisons that print numbers."""
