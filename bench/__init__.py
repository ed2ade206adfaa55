"""Benchmarks: build, validation and query cost against graph size, and the endpoint beside its alternatives.

Run with ``.venv/bin/python -m bench`` (see ``docs/benchmarks.md``). Nothing here is part of the
test suite except the generator's smoke test.
"""
