"""Benchmark intents.parse and customer resolution at 1,000 and 100,000 customers."""

from __future__ import annotations

import json
import sys

from intents.bench import bench_parse


def main() -> None:
    """Print one JSON line per customer count given (default 1000 and 100000)."""
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 100_000]
    for size in sizes:
        print(json.dumps(bench_parse(size)), flush=True)


if __name__ == "__main__":
    main()
