"""`bench`: build (or reuse) a synthetic data set and measure the heavy paths, or load-test a
real server. See docs/performance.md for the commands and the figures of a documented run."""

import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from helpdesk.bench import dataset, load, measure


def _columns_elided(sql: str) -> str:
    """The statement with its (long) list of selected columns shortened to "...", for reading."""
    return re.sub(r"^SELECT (.{200,}?) FROM ", "SELECT ... FROM ", sql, count=1, flags=re.DOTALL)


class Command(BaseCommand):
    help = (
        "Build (or reuse) a synthetic data set of --cases cases in the configured database, then "
        "measure median and p95 time and query counts of the heavy pages, API calls and sweeps. "
        "With --load, drive a gunicorn server on 127.0.0.1 with a mixed workload instead. Never "
        "run it against a database with real data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=10_000, help="Data set size (10,000).")
        parser.add_argument("--json", metavar="FILE", help="Also write the figures as JSON.")
        parser.add_argument("--warmup", type=int, default=3, help="Unmeasured runs per path (3).")
        parser.add_argument("--runs", type=int, default=15, help="Measured runs per path (15).")
        parser.add_argument(
            "--rebuild", action="store_true", help="Rebuild the data set even if it exists."
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Print EXPLAIN (ANALYZE, BUFFERS) of the hot queries (PostgreSQL) and stop.",
        )
        parser.add_argument("--load", action="store_true", help="Load-test a gunicorn server.")
        parser.add_argument("--seconds", type=float, default=10, help="Load: duration (10 s).")
        parser.add_argument("--concurrency", type=int, default=4, help="Load: client threads (4).")
        parser.add_argument(
            "--max-requests", type=int, default=20_000, help="Load: request cap (20,000)."
        )
        parser.add_argument("--workers", type=int, default=2, help="Load: gunicorn workers (2).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["cases"] < 1 or options["runs"] < 1 or options["warmup"] < 0:
            raise CommandError("--cases and --runs must be positive, --warmup not negative.")
        log = self.stdout.write
        data = dataset.ensure(options["cases"], rebuild=options["rebuild"], log=log)
        if options["explain"]:
            self._explain(data)
            return
        if options["load"]:
            self._load(data, options)
            return
        with measure.in_process_settings():
            log(f"Measuring ({options['warmup']} warm-up and {options['runs']} measured runs)...")
            paths = measure.measure_paths(data, warmup=options["warmup"], runs=options["runs"])
            log("Running the sweeps...")
            sweeps = measure.measure_sweeps(data)
        report = {
            "cases": data.scale.cases,
            "database": connection.vendor,
            "paths": paths,
            "sweeps": sweeps,
        }
        self._table(report)
        self._write(options["json"], report)

    def _table(self, report: dict) -> None:
        write = self.stdout.write
        write(f"\n{report['cases']:,} cases on {report['database']}")
        write(f"{'path':<22}{'p50 ms':>10}{'p95 ms':>10}{'queries':>9}")
        for name, figures in report["paths"].items():
            write(
                f"{name:<22}{figures['p50_ms']:>10.2f}{figures['p95_ms']:>10.2f}"
                f"{figures['queries']:>9}"
            )
        write(f"\n{'sweep':<24}{'seconds':>10}{'statements':>12}{'due':>8}")
        for name, figures in report["sweeps"].items():
            write(
                f"{name:<24}{figures['seconds']:>10.3f}{figures['statements']:>12}"
                f"{figures['due']:>8}"
            )

    def _write(self, path: str | None, report: dict) -> None:
        if path:
            Path(path).write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write(f"\nWrote {path}")

    def _explain(self, data: dataset.Dataset) -> None:
        try:
            with measure.in_process_settings():
                plans = measure.explain(data)
        except measure.BenchError as error:
            raise CommandError(str(error)) from None
        for name, (sql, plan) in plans.items():
            self.stdout.write(f"\n-- {name}\n{_columns_elided(sql)}\n\n{plan}")

    def _load(self, data: dataset.Dataset, options: dict) -> None:
        if options["seconds"] <= 0 or options["concurrency"] < 1 or options["max_requests"] < 1:
            raise CommandError("--seconds, --concurrency and --max-requests must be positive.")
        try:
            result = load.run(
                data,
                seconds=options["seconds"],
                concurrency=options["concurrency"],
                max_requests=options["max_requests"],
                workers=options["workers"],
                log=self.stdout.write,
            )
        except load.LoadError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(load.describe(result))
        self._write(options["json"], {"cases": data.scale.cases, "load": result})
