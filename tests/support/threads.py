"""Concurrency in tests: calls released together in real threads, each on its own
database connection (PostgreSQL tests, ``django_db(transaction=True)``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connections

START_SECONDS = 30
PATIENCE_SECONDS = 120


def at_once(calls: Sequence[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    """Run each call in its own thread, all released at the same moment by a barrier.

    Returns what the calls returned and what they raised (each in the order they
    finished). Every thread closes its connections when done; a thread still running
    after ``PATIENCE_SECONDS`` fails the test, since it is waiting on a lock it will never
    get."""
    start = threading.Barrier(len(calls))
    results: list[object] = []
    errors: list[BaseException] = []

    def worker(call: Callable[[], object]) -> None:
        try:
            start.wait(timeout=START_SECONDS)
            results.append(call())
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,), daemon=True) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PATIENCE_SECONDS)
    hung = sum(thread.is_alive() for thread in threads)
    assert hung == 0, f"{hung} of {len(threads)} threads still running: a lock never granted?"
    return results, errors
