"""Benchmarks: a synthetic corpus, load drivers, comparisons; they print numbers, assert nothing."""
