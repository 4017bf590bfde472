"""Benchmarks that print figures (`python -m bench [NAME ...]`); nothing here asserts on time.

Each benchmark module has a ``run(args) -> None`` that prints figure lines
``name.metric value (target ...)``; ``bench.__main__`` selects and runs them.
"""

__all__ = ["BENCHMARKS"]

# Order of a full run: the cheap, self-contained ones first, the 1M-item database last.
BENCHMARKS = ("ingest", "scoring", "queries", "dashboard", "startup", "export")
