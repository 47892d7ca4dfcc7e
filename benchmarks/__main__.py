"""``python -m benchmarks``: the ``make bench`` harness (``benchmarks/bench.py``)."""

from benchmarks.bench import main

if __name__ == "__main__":
    main()
