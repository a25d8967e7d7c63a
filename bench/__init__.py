"""The benchmark: ``python -m bench [--events N] [--quick]``. See docs/performance.md."""
