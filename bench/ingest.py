"""Bulk ingest throughput against its floor, in the same run.

Generates N identifiers over N/5 cases of the 13 case-holding members (5 % of the identifiers shared between agencies,
some hot values, realistic narratives unless --no-narratives), ingests them through ``ingest_rows`` (the code path of
``POST /api/v1/cases/bulk`` and ``lintas import cases``) into a fresh database, checks the hits against the
generator's ground truth, then measures the floor on the same data: normalising every raw value with
``lintas.identifiers`` alone, and a raw insert of the already-normalised case and identifier rows (PostgreSQL COPY;
SQLite executemany in one transaction) into the same tables, with their indexes, constraints and foreign keys.

    python bench/ingest.py --indicators 100000 --db sqlite|postgres [--batch-size 1000] [--no-narratives] [--profile]

The final line is JSON: indicators, seconds, per_second, normalize_seconds, raw_seconds, ratio_to_floor
(= seconds / (normalize + raw)), extract_seconds (finding identifiers in narratives, which ingest also does, as the
case form does), hits, expected_hits, peak_rss_mb (of this process; the generator runs in a child process).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time

from procstat import cpu_seconds, machine_pace  # bench/procstat.py: the script's own folder is on the path

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
CHUNK = 20_000


def setup(db: str, name: str) -> None:
    os.environ["LINTAS_ENV"] = "development"
    os.environ["LINTAS_DEBUG"] = "0"  # DEBUG keeps every query's SQL: not what a server does, and memory grows
    os.environ["LINTAS_DATA_DIR"] = tempfile.mkdtemp(prefix="lintas-bench-")
    os.environ.pop("LINTAS_REDIS_URL", None)
    if db == "postgres":
        import psycopg

        server = os.environ.get("LINTAS_BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"{server}/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, SRC)
    os.environ["DJANGO_SETTINGS_MODULE"] = "lintas.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(path: str, truth_path: str, cases: int, args) -> dict:
    """Run the generator in a child process (its memory is not the ingest's) unless the file is already there."""
    if not (os.path.exists(path) and os.path.exists(truth_path)):
        start = time.perf_counter()
        command = [
            sys.executable, "-m", "lintas", "generate", "--cases", str(cases), "--overlap", str(args.overlap),
            "--hot", str(args.hot), "--seed", str(args.seed), "--out", path + ".part", "--truth", truth_path,
        ]  # fmt: skip
        if not args.narratives:
            command.append("--no-narratives")
        env = {**os.environ, "LINTAS_ENV": "development", "LINTAS_HOT_VALUE_CAP": str(args.hot_cap)}
        env.pop("DATABASE_URL", None)
        subprocess.run(command, check=True, env=env)
        os.replace(path + ".part", path)
        print(f"generated {cases} cases in {time.perf_counter() - start:.1f} s -> {path}", file=sys.stderr)
    with open(truth_path) as handle:
        return json.load(handle)


def floor(path: str, db: str) -> tuple[float, float, float, int]:
    """(normalize seconds, raw insert seconds, narrative extraction seconds, identifiers) for the same rows."""
    from django.db import connection, transaction
    from django.utils import timezone

    from lintas import identifiers
    from lintas.agencies.models import Agency
    from lintas.cases.models import Case, CaseIdentifier
    from lintas.matching.tokens import community_key, tokens_for

    countries = dict(Agency.objects.values_list("code", "country"))
    agency_ids = dict(Agency.objects.values_list("code", "id"))
    key = community_key()
    quote = connection.ops.quote_name
    ident_table, case_table = CaseIdentifier._meta.db_table, Case._meta.db_table
    ident_columns = [
        "id", "case_id", "owner_agency_id", "type", "value", "display", "raw", "country", "valid", "role",
        "first_seen_on", "last_seen_on", "token", "linked_token", "blind", "created_at",
    ]  # fmt: skip
    case_columns = [
        "id", "owner_agency_id", "reference", "external_reference", "title", "crime_type", "status", "narrative",
        "countries", "modus_operandi", "victim_count", "victim_nationalities", "victim_age_bands", "distribution",
        "tlp", "handling_code", "handling_text", "source_reliability", "information_accuracy", "purpose",
        "legal_basis", "review_on", "hide_owner_in_hits", "created_at", "updated_at",
    ]  # fmt: skip
    with connection.cursor() as cursor:  # the floor's rows go after every id in use
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(case_table)}")  # noqa: S608
        case_base = cursor.fetchone()[0] + 1_000_000
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(ident_table)}")  # noqa: S608
        ident_base = cursor.fetchone()[0] + 1_000_000
    normalize_seconds = raw_seconds = extract_seconds = 0.0
    now = timezone.now()
    review = now.date().replace(year=now.year + 5)
    ident_rows: list[tuple] = []
    case_rows: list[tuple] = []
    total = 0

    def flush() -> float:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            if db == "postgres":
                for table, columns, rows in (
                    (case_table, case_columns, case_rows),
                    (ident_table, ident_columns, ident_rows),
                ):
                    names = ", ".join(quote(c) for c in columns)
                    with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            else:
                for table, columns, rows in (
                    (case_table, case_columns, case_rows),
                    (ident_table, ident_columns, ident_rows),
                ):
                    names = ", ".join(quote(c) for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608
        elapsed = time.perf_counter() - start
        ident_rows.clear()
        case_rows.clear()
        return elapsed

    with transaction.atomic(), open(path, "rb") as handle:
        for case_id, line in enumerate(handle, start=1):
            row = json.loads(line)
            country = countries[row["agency"]] or None
            items = [(i["value"], i.get("type"), i.get("country") or country) for i in row["identifiers"]]
            start = time.perf_counter()
            results = [identifiers.normalize(value, kind, cc) for value, kind, cc in items]
            normalize_seconds += time.perf_counter() - start
            if row.get("narrative"):
                start = time.perf_counter()
                identifiers.extract(row["narrative"], country)
                extract_seconds += time.perf_counter() - start
            agency_id = agency_ids[row["agency"]]
            case_rows.append(
                (
                    case_base + case_id, agency_id, f"FLOOR-{case_id}", "FLOOR-" + row["external_reference"],
                    row["title"], row["crime_type"],
                    row["status"], row.get("narrative", ""), json.dumps(row["countries"]), "[]", row["victim_count"],
                    json.dumps(row["victim_nationalities"]), "[]", row.get("distribution", "owner"), row["tlp"],
                    row["handling_code"], "", row["source_reliability"], row["information_accuracy"], "", "",
                    review, False, now, now,
                )
            )  # fmt: skip
            for (value, _kind, _cc), result, item in zip(items, results, row["identifiers"], strict=True):
                total += 1
                token, linked = tokens_for(key, result)
                ident_rows.append(
                    (
                        ident_base + total, case_base + case_id, agency_id, str(result.type), result.value,
                        result.display, value,
                        result.country[:2], True, item["role"], None, None, token, linked, False, now,
                    )
                )  # fmt: skip
            if len(ident_rows) >= CHUNK:
                raw_seconds += flush()
        raw_seconds += flush()
        start = time.perf_counter()
    raw_seconds += time.perf_counter() - start  # the commit
    return normalize_seconds, raw_seconds, extract_seconds, total


def backend_cpu_seconds(db: str) -> float | None:
    """CPU time of this process's PostgreSQL backend (same machine), which ingest opened: the server's share."""
    if db != "postgres":
        return None
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return cpu_seconds(pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--overlap", type=float, default=0.05)
    parser.add_argument("--hot", type=int, default=20)
    parser.add_argument("--hot-cap", type=int, default=50, help="must equal LINTAS_HOT_VALUE_CAP (default 50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-narratives", dest="narratives", action="store_false")
    parser.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "lintas-bench-data"))
    parser.add_argument("--workers", type=int, default=0, help="validate in N worker processes (ingest_rows workers=)")
    parser.add_argument(
        "--start-method",
        choices=("fork", "spawn"),
        default="fork",
        help="how workers start: fork (lintas import cases) or spawn (a queued import's job)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the ingest and print the top functions")
    args = parser.parse_args()
    os.makedirs(args.data_dir, exist_ok=True)
    cases = args.indicators // 5
    stem = f"cases-{cases}-o{args.overlap}-h{args.hot}-c{args.hot_cap}-s{args.seed}-{'n' if args.narratives else 'x'}"
    path = os.path.join(args.data_dir, stem + ".ndjson")
    truth = generate(path, os.path.join(args.data_dir, stem + ".truth.json"), cases, args)
    setup(args.db, "lintas_bench_ingest")

    from django.conf import settings

    from lintas.cases.ingest import ingest_rows, read_ndjson
    from lintas.matching.models import Hit

    assert args.hot_cap == settings.MATCHING_HOT_CASE_CAP, "set LINTAS_HOT_VALUE_CAP to --hot-cap"
    assert args.batch_size >= truth["min_batch_size"], "the ground truth needs batches larger than the hot cap"
    profiler = cProfile.Profile() if args.profile else None
    last = [time.perf_counter()]

    def progress(report):
        if time.perf_counter() - last[0] > 5:
            last[0] = time.perf_counter()
            print(f"  ... {report.created} cases, {report.identifiers} identifiers", file=sys.stderr)

    load = [os.getloadavg()[0], 0.0]
    pace = [machine_pace(), 0.0]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_cpu_start = children.ru_utime + children.ru_stime  # the generator, when it ran
    start = time.perf_counter()
    cpu_start = time.process_time()
    with open(path, "rb") as handle:
        if profiler:
            profiler.enable()
        report = ingest_rows(
            None,
            read_ndjson(handle, parse=False),
            batch_size=args.batch_size,
            progress=progress,
            workers=args.workers,
            start_method=args.start_method,
        )
        if profiler:
            profiler.disable()
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    worker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu_seconds = worker_cpu.ru_utime + worker_cpu.ru_stime - children_cpu_start
    database_cpu_seconds = backend_cpu_seconds(args.db)
    load[1] = os.getloadavg()[0]
    pace[1] = machine_pace()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert report.ok, report.as_dict()
    stored_hits = Hit.objects.count()
    normalize_seconds, raw_seconds, extract_seconds, total = floor(path, args.db)
    assert total == report.identifiers, (total, report.identifiers)
    indicators = report.identifiers
    print(
        f"database            {args.db}, batches of {args.batch_size}, "
        f"narratives {'on' if args.narratives else 'off'}, {args.workers} worker process(es) ({args.start_method}), "
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} -> {load[1]:.1f}"
    )
    print(f"ingest              {indicators / seconds:10.0f} identifiers/s  ({seconds:.1f} s for {indicators} in "
          f"{report.created} cases, path {report.insert_path})")  # fmt: skip
    database_cpu = f", PostgreSQL backend {database_cpu_seconds:.1f} s" if database_cpu_seconds is not None else ""
    print(
        f"cpu                 writer {cpu_seconds:.1f} s, validation workers {worker_cpu_seconds:.1f} s{database_cpu}"
    )
    print(f"normalise floor     {indicators / normalize_seconds:10.0f} identifiers/s  ({normalize_seconds:.1f} s)")
    print(f"raw insert floor    {indicators / raw_seconds:10.0f} identifiers/s  ({raw_seconds:.1f} s, cases too)")
    print(f"narrative extract   {extract_seconds:10.1f} s (part of ingest, as in the case form)")
    with_extract = seconds / (normalize_seconds + raw_seconds + extract_seconds)
    print(f"ratio to floor      {seconds / (normalize_seconds + raw_seconds):10.2f}  "
          f"(with extraction in the floor: {with_extract:.2f})")  # fmt: skip
    print(f"hits                {report.hits} (stored {stored_hits}, ground truth {truth['expected_hits']})")
    print(f"peak RSS            {peak_mb:10.0f} MB")
    print(f"machine pace        {pace[0]:10.0f} -> {pace[1]:.0f} ns a step of procstat.machine_pace (lower is faster)")
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(
            int(os.environ.get("BENCH_TOP", "30"))
        )
    print(
        json.dumps(
            {
                "benchmark": "ingest",
                "db": args.db,
                "narratives": args.narratives,
                "batch_size": args.batch_size,
                "workers": args.workers,
                "start_method": args.start_method,
                "indicators": indicators,
                "cases": report.created,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu_seconds, 2),
                "worker_cpu_seconds": round(worker_cpu_seconds, 2),
                "database_cpu_seconds": database_cpu_seconds,
                "per_second": round(indicators / seconds),
                "normalize_seconds": round(normalize_seconds, 2),
                "raw_seconds": round(raw_seconds, 2),
                "ratio_to_floor": round(seconds / (normalize_seconds + raw_seconds), 2),
                "extract_seconds": round(extract_seconds, 2),
                "ratio_to_floor_with_extract": round(with_extract, 2),
                "hits": report.hits,
                "expected_hits": truth["expected_hits"],
                "peak_rss_mb": round(peak_mb),
                "load_average": [round(x, 1) for x in load],
                "machine_pace_ns": [round(x) for x in pace],
            }
        )
    )
    if report.hits != truth["expected_hits"] or stored_hits != report.hits:
        sys.exit("hits differ from the ground truth")


if __name__ == "__main__":
    main()
