"""`make bench`: every benchmark, in one run, on the PostgreSQL server of DATABASE_URL.

Each step works in its own scratch database on that server (created afresh, dropped at
the end even on failure) and returns named figures; the summary line compares them.
See docs/performance.md for what each figure means and the targets.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable

from bench import pg
from bench.http import bench_http_transfers
from bench.ledger import Plan, bench_transfers
from bench.reads import ReadPlan, measure_reads, reads_detail, reads_line
from bench.scheduled import bench_scheduled_payments
from bench.seed import bench_seed


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured warm-up per run")
    parser.add_argument("--workers", type=int, default=8, help="concurrent ledger workers")
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="worker processes, the workers spread over them as threads like pgbench's"
        " clients over its threads (default: --pgbench-threads; 0: one process per worker)",
    )
    parser.add_argument("--accounts", type=int, default=10_000, help="member accounts")
    parser.add_argument("--skip-pgbench", action="store_true", help="no pgbench baseline")
    parser.add_argument("--skip-seed", action="store_true", help="no bulk seed timing")
    parser.add_argument(
        "--skip-reads", action="store_true", help="no read figures (pages and exports)"
    )
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="only the bulk seed and the read figures: no pgbench, no ledger transfers",
    )
    parser.add_argument("--read-samples", type=int, default=200, help="timed requests per page")
    parser.add_argument("--read-warmup", type=int, default=20, help="untimed requests per page")
    parser.add_argument("--export-samples", type=int, default=10, help="timed downloads per export")
    parser.add_argument(
        "--read-profile", action="store_true", help="also cProfile each page and export"
    )
    parser.add_argument("--skip-http", action="store_true", help="no HTTP transfer figure")
    parser.add_argument(
        "--skip-scheduled", action="store_true", help="no scheduled-payment job figure"
    )
    parser.add_argument(
        "--schedules", type=int, default=10_000, help="schedules, each with a new bill"
    )
    parser.add_argument(
        "--schedule-members", type=int, default=100, help="members sharing the schedules"
    )
    parser.add_argument(
        "--schedule-shards",
        type=int,
        default=2,
        help="shards of the scheduled-payment job run side by side (PAYMENT_SCHEDULE_SHARDS)",
    )
    parser.add_argument(
        "--http-transfers", type=int, default=150, help="transfers confirmed per HTTP worker"
    )
    parser.add_argument("--seed-members", type=int, default=10_000)
    parser.add_argument("--seed-movements", type=int, default=1_000_000)
    parser.add_argument("--pgbench-scale", type=int, default=10)
    parser.add_argument("--pgbench-clients", type=int, default=8)
    parser.add_argument("--pgbench-threads", type=int, default=2)
    parser.add_argument(
        "--profile",
        type=float,
        default=0,
        metavar="SECONDS",
        help="also time and cProfile one ledger worker alone for SECONDS per mode",
    )
    args = parser.parse_args(argv)
    if args.accounts < 2 or args.workers < 1 or args.seconds <= 0:
        parser.error("needs --accounts >= 2, --workers >= 1 and --seconds > 0")
    if args.reads_only and (args.skip_reads or args.skip_seed):
        parser.error("--reads-only measures on the bulk seed: not with --skip-reads/--skip-seed")
    if args.read_samples < 1 or args.export_samples < 1:
        parser.error("needs --read-samples >= 1 and --export-samples >= 1")
    return args


def _context(server: pg.Server) -> None:
    settings = server.describe()
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(
        f"machine: nproc {affinity} (cpu_count {os.cpu_count()}), {platform.platform()},"
        f" Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"postgresql: {settings['server_version']}, fsync={settings['fsync']},"
        f" synchronous_commit={settings['synchronous_commit']},"
        f" full_page_writes={settings['full_page_writes']}, wal_level={settings['wal_level']},"
        f" shared_buffers={settings['shared_buffers']},"
        f" max_connections={settings['max_connections']}"
    )


def _fmt(figures: dict[str, float], key: str) -> str:
    return f"{figures[key]:.2f}" if key in figures else "n/a"


def _ratio(figures: dict[str, float], top: str, bottom: str) -> str:
    if top in figures and figures.get(bottom):
        return f"{figures[top] / figures[bottom]:.2f}"
    return "n/a"


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench: DATABASE_URL must name a PostgreSQL server (see scripts/with-postgres)")
        return 2
    server = pg.Server(url)
    _context(server)
    plan = Plan(
        accounts=args.accounts,
        workers=args.workers,
        warmup=args.warmup,
        seconds=args.seconds,
        profile_seconds=args.profile,
        processes=args.pgbench_threads if args.processes is None else args.processes,
    )

    # The steps, in order; each returns its figures. A new benchmark is one more entry.
    steps: list[tuple[str, Callable[[], dict[str, float]]]] = []
    reads = None
    if not args.skip_reads and not args.skip_seed:
        read_plan = ReadPlan(
            samples=args.read_samples,
            warmup=args.read_warmup,
            export_samples=args.export_samples,
            profile=args.read_profile,
        )

        def reads(url: str) -> dict[str, float]:
            return measure_reads(url, read_plan)

    if not args.skip_pgbench and not args.reads_only:
        steps.append(
            (
                "pgbench TPC-B-like baseline",
                lambda: pg.pgbench_tpcb(
                    server,
                    scale=args.pgbench_scale,
                    clients=args.pgbench_clients,
                    threads=args.pgbench_threads,
                    seconds=max(1, round(args.seconds)),
                ),
            )
        )
    if not args.reads_only:
        steps.append(("ledger transfers (uniform, hot)", lambda: bench_transfers(server, plan)))
    if not args.reads_only and not args.skip_http:
        steps.append(
            (
                "transfers confirmed over HTTP",
                lambda: bench_http_transfers(server, plan, per_worker=args.http_transfers),
            )
        )
    if not args.reads_only and not args.skip_scheduled:
        steps.append(
            (
                "scheduled-payment job",
                lambda: bench_scheduled_payments(
                    server,
                    schedules=args.schedules,
                    members=args.schedule_members,
                    shards=args.schedule_shards,
                ),
            )
        )
    if not args.skip_seed:
        # The read figures measure on the seeded database: one seed for both.
        steps.append(
            (
                "bulk demo data (seed_demo)" + (" and reads" if reads else ""),
                lambda: bench_seed(
                    server,
                    members=args.seed_members,
                    movements=args.seed_movements,
                    then=reads,
                ),
            )
        )

    figures: dict[str, float] = {}
    started = time.perf_counter()
    for title, step in steps:
        print(f"== {title}", flush=True)
        figures.update(step())
    print(f"bench: {len(steps)} steps in {time.perf_counter() - started:.1f} s")

    for key, value in figures.items():
        print(f"  {key} = {value:.2f}")
    if not args.reads_only:
        print(
            f"ledger: {_fmt(figures, 'ledger_uniform_tps')} transfers/s uniform,"
            f" {_fmt(figures, 'ledger_hot_tps')} transfers/s hot,"
            f" pgbench tpcb {_fmt(figures, 'pgbench_tps')} tps,"
            f" ratio {_ratio(figures, 'ledger_uniform_tps', 'pgbench_tps')},"
            f" hot ratio {_ratio(figures, 'ledger_hot_tps', 'ledger_uniform_tps')}"
        )
    if "http_confirmed_tps" in figures:
        print(
            f"http: {figures['http_confirmed_tps']:.1f} transfers/s confirmed over HTTP,"
            f" ledger {_fmt(figures, 'ledger_uniform_tps')} transfers/s,"
            f" ratio {_ratio(figures, 'http_confirmed_tps', 'ledger_uniform_tps')}"
        )
    if "scheduled_tps" in figures:
        print(
            f"scheduled: {figures['scheduled_tps']:.1f} payments/s,"
            f" ledger {_fmt(figures, 'ledger_uniform_tps')} transfers/s,"
            f" ratio {_ratio(figures, 'scheduled_tps', 'ledger_uniform_tps')}"
        )
    if "seed_bulk_seconds" in figures:
        print(
            f"seed: {args.seed_members} members, {args.seed_movements} movements in"
            f" {figures['seed_bulk_seconds']:.1f} s (target 120 s)"
        )
    if reads is not None:
        print(reads_line(figures))
        print(reads_detail(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
