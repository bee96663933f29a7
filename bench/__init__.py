"""Benchmarks: they print numbers; run them as modules, `python -m bench.NAME`."""
