"""Benchmarks: scripts that print numbers; nothing here asserts a time."""
