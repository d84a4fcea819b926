"""Benchmarks at county scale (issue 9): a data generator, a load driver and the cases with budgets.

`make bench` runs `python -m bench.run`; see docs/performance.md.
"""
