"""``lintas import cases FILE.ndjson``: bulk ingest from the command line, with a progress line on stderr.

Rows with an ``"agency"`` field are recorded for that agency; ``--agency`` names the agency of the others. The
report is printed as JSON at the end; the exit code is 1 when rows were rejected. Audited with request id
``cli:import``.
"""

import json
import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from lintas.agencies.models import Agency
from lintas.cases.ingest import MAX_LINE_BYTES, IngestReport, ingest_rows, read_ndjson
from lintas.core.context import use_context


class _Progress:
    """One line on stderr, rewritten in place: bytes read, cases, identifiers, hits and rate."""

    def __init__(self, stream, handle, total_bytes: int | None):
        self.stream, self.handle, self.total = stream, handle, total_bytes
        self.start = self.last = time.monotonic()
        self.tty = getattr(stream, "isatty", lambda: False)()

    def __call__(self, report: IngestReport, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < (0.2 if self.tty else 10):
            return
        self.last = now
        elapsed = max(now - self.start, 1e-6)
        done = ""
        if self.total:
            fraction = min(self.handle.tell() / self.total, 1.0)
            filled = int(fraction * 24)
            done = f"[{'#' * filled}{'.' * (24 - filled)}] {fraction:4.0%} "
        line = (
            f"{done}{report.received} rows, {report.created} new, {report.unchanged} unchanged, "
            f"{report.rejected} rejected, {report.identifiers} identifiers, {report.hits} hits, "
            f"{report.identifiers / elapsed:,.0f} identifiers/s"
        )
        self.stream.write(("\r" + line + "\033[K") if self.tty else line + "\n")
        if final and self.tty:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import cases in bulk from an NDJSON file (one case per line, as for POST /api/v1/cases/)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        cases = sub.add_parser("cases", help="Cases with their identifiers, losses and sharing rules.")
        cases.add_argument("file", help="NDJSON file, or - for standard input.")
        cases.add_argument("--agency", help='Agency code for rows without an "agency" field.')
        cases.add_argument("--batch-size", type=int, default=1000, help="Rows per all-or-nothing batch.")
        cases.add_argument("--max-errors", type=int, default=1000, help="Errors listed in the report.")
        cases.add_argument(
            "--workers",
            type=int,
            default=None,
            help=(
                "Validate rows in N more processes while batches are written (default: one per core, at most 4, "
                "none on one core or inside a transaction; 0 validates in this process)."
            ),
        )
        cases.add_argument("--quiet", action="store_true", help="No progress line.")

    def handle(self, *args, **options):
        if options["workers"] is not None and options["workers"] < 0:
            raise CommandError("--workers must be 0 or more")
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"].lower()).first()
            if agency is None:
                raise CommandError(f"Unknown agency code: {options['agency']}")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        path = options["file"]
        if path == "-":
            handle, total = sys.stdin.buffer, None
        else:
            try:
                handle, total = open(path, "rb"), os.path.getsize(path)  # noqa: SIM115
            except OSError as exc:
                raise CommandError(str(exc)) from None
        progress = None if options["quiet"] else _Progress(self.stderr._out, handle, total)
        try:
            with use_context("cli:import"):
                report = ingest_rows(
                    None,
                    read_ndjson(handle, max_bytes=MAX_LINE_BYTES, parse=False),
                    agency=agency,
                    batch_size=options["batch_size"],
                    progress=progress,
                    max_errors=options["max_errors"],
                    workers=_workers(options["workers"]),
                )
            if progress is not None:
                progress(report, final=True)
        finally:
            if handle is not sys.stdin.buffer:
                handle.close()
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        if not report.ok:
            raise CommandError(
                f"{report.rejected} row(s) rejected ({report.invalid} invalid); the other batches were written",
                returncode=1,
            )


def _workers(asked: int | None) -> int:
    """Worker processes for an import: as asked, else one per core up to 4 (validation is most of the work: on 2
    cores, 200,000 identifiers took 10.9 s with 2 workers and 21.2 s with none), none on a single core or where the
    caller holds a transaction (workers need the connection closed before they fork)."""
    if asked is not None:
        return asked
    from django.db import connection

    cores = os.cpu_count() or 1
    return 0 if cores < 2 or connection.in_atomic_block else min(cores, 4)
