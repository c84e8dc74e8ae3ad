"""Bulk demo data timing: `seed_demo --members N --movements M` into a scratch database,
then `verify_ledger` on the result; ``then`` (the read figures, bench/reads.py) measures
on the seeded database before it is dropped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.pg import SCRATCH_PREFIX, Server, scratch_database

ROOT = Path(__file__).resolve().parent.parent


def _manage(url: str, *args: str) -> tuple[float, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "enlinea.settings",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def bench_seed(
    server: Server,
    *,
    members: int,
    movements: int,
    then: Callable[[str], dict[str, float]] | None = None,
) -> dict[str, float]:
    with scratch_database(server, f"{SCRATCH_PREFIX}seed") as url:
        migrate, _ = _manage(url, "migrate", "--noinput", "-v0")
        print(f"  migrate: {migrate:.1f} s")
        seconds, out = _manage(
            url, "seed_demo", "--members", str(members), "--movements", str(movements)
        )
        for line in out.splitlines():
            print(f"  {line}")
        print(f"  seed_demo --members {members} --movements {movements}: {seconds:.1f} s")
        verify, out = _manage(url, "verify_ledger")
        print(f"  verify_ledger: {verify:.1f} s, {out.splitlines()[-1]}")
        figures = {"seed_bulk_seconds": seconds, "verify_ledger_seconds": verify}
        if then is not None:
            figures.update(then(url))
    return figures
