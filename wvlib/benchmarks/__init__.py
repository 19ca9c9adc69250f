"""Benchmarks run by ``python -m wvlib bench NAME`` (one module per benchmark)."""
