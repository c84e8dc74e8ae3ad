"""The PostgreSQL server under test: scratch databases, server context, pgbench."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

SCRATCH_PREFIX = "enlinea_bench_"


@dataclass(frozen=True)
class Server:
    """The server named by DATABASE_URL; its own database is only used to administer."""

    url: str

    def url_for(self, database: str) -> str:
        """The same server, user and options, another database."""
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=5)

    def describe(self) -> dict[str, str]:
        """Settings that the figures depend on."""
        names = (
            "server_version",
            "fsync",
            "synchronous_commit",
            "full_page_writes",
            "wal_level",
            "shared_buffers",
            "max_connections",
        )
        with self.admin() as conn:
            return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in names}


def _check_scratch(name: str) -> None:
    # Scratch databases are dropped without asking: never let a typo reach a real one.
    if not name.startswith(SCRATCH_PREFIX):
        raise ValueError(f"scratch database names start with {SCRATCH_PREFIX!r}: {name!r}")


def database_drop(server: Server, name: str) -> None:
    _check_scratch(name)
    with server.admin() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def scratch_database(server: Server, name: str) -> Iterator[str]:
    """Create ``name`` afresh (dropping a leftover), yield its URL, drop it afterwards
    whatever happened."""
    database_drop(server, name)
    with server.admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.url_for(name)
    finally:
        database_drop(server, name)
        print(f"  dropped scratch database {name}")


def pgbench_path() -> str:
    found = shutil.which("pgbench")
    if found:
        return found
    pg_config = shutil.which("pg_config")
    if pg_config:
        bindir = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        candidate = os.path.join(bindir, "pgbench")
        if os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError("pgbench not found on PATH nor in `pg_config --bindir`")


_TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.MULTILINE)
_LATENCY = re.compile(r"^latency average = ([0-9.]+) ms", re.MULTILINE)


def pgbench_tpcb(
    server: Server, *, scale: int, clients: int, threads: int, seconds: int
) -> dict[str, float]:
    """pgbench's built-in TPC-B-like script on a scratch database; returns its tps."""
    pgbench = pgbench_path()
    with scratch_database(server, f"{SCRATCH_PREFIX}pgbench") as url:
        print(f"  pgbench -i -s {scale} (initialising)", flush=True)
        subprocess.run(
            [pgbench, "-i", "-q", "-s", str(scale), url], capture_output=True, check=True
        )
        command = [pgbench, "-c", str(clients), "-j", str(threads), "-T", str(seconds), url]
        print(f"  pgbench -c {clients} -j {threads} -T {seconds}", flush=True)
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    tps = _TPS.search(done.stdout)
    if tps is None:
        raise RuntimeError(f"could not read the tps from pgbench:\n{done.stdout}")
    latency = _LATENCY.search(done.stdout)
    figures = {"pgbench_tps": float(tps.group(1))}
    if latency:
        figures["pgbench_latency_ms"] = float(latency.group(1))
    print(
        f"  pgbench tpcb: {figures['pgbench_tps']:.1f} tps"
        + (f", latency {figures['pgbench_latency_ms']:.2f} ms" if latency else "")
    )
    return figures
