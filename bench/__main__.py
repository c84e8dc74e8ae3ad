"""`make bench`: runs every benchmark in this package and prints its figures."""

from __future__ import annotations

import os
import sys
import time

import django


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enlinea.settings")
    django.setup()
    from django.db import connection

    print(f"bench: database {connection.vendor} {connection.settings_dict.get('NAME')}")
    started = time.perf_counter()
    # Each benchmark module registers itself here as the features that need it land.
    benchmarks: list[tuple[str, object]] = []
    for name, run in benchmarks:
        print(f"== {name}")
        run()  # type: ignore[operator]
    print(f"bench: {len(benchmarks)} benchmarks in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
