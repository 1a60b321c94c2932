"""Audit trail throughput: writers inserting events concurrently, then sealing and verifying the chain.

Compares, in the same run, ``record_event`` (one transaction per event, as a request would) against a raw INSERT of
the same rows through the same connection, so the figure shows what the service layer costs over the database floor.

    python bench/audit.py --db sqlite|postgres --events 20000 --threads 4
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
import uuid


def setup(db: str) -> None:
    os.environ["LINTAS_ENV"] = "development"
    os.environ["LINTAS_DATA_DIR"] = tempfile.mkdtemp(prefix="lintas-bench-")
    os.environ.pop("LINTAS_REDIS_URL", None)
    if db == "postgres":
        import psycopg

        url = os.environ.get("LINTAS_BENCH_PG", "postgres://postgres@127.0.0.1:5432/lintas_bench")
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'lintas_bench'").fetchone():
                conn.execute("CREATE DATABASE lintas_bench")
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "lintas.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run_threads(threads: int, per_thread: int, work) -> float:
    from django.db import connection

    barrier = threading.Barrier(threads + 1)

    def worker(index):
        barrier.wait()
        try:
            for i in range(per_thread):
                work(index, i)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in pool:
        thread.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    setup(args.db)

    from django.db import connection, transaction
    from django.utils import timezone

    from lintas.audit import services
    from lintas.audit.choices import Action
    from lintas.audit.models import AuditChainHead, AuditEvent

    AuditEvent._base_manager.all().delete()
    AuditChainHead.objects.all().delete()
    services.request_seal = lambda: None  # measure writing alone; sealing is timed separately below
    per_thread = args.events // args.threads
    total = per_thread * args.threads

    def record(t, i):
        with transaction.atomic():
            services.record_event(Action.LOGIN, actor_username=f"bench{t}", object_id=str(i), details={"i": i})

    record_seconds = run_threads(args.threads, per_thread, record)

    table = AuditEvent._meta.db_table
    columns = (
        "occurred_at, actor_username, actor_agency_code, action, outcome, object_type, object_id, request_id, "
        "details, prev_hash, hash"
    )
    placeholders = ", ".join(["%s"] * 11)

    def raw(t, i):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 - constant names only
                [
                    timezone.now(),
                    f"raw{t}",
                    "",
                    Action.LOGIN,
                    "success",
                    "",
                    str(i),
                    uuid.uuid4().hex,
                    '{"i": 1}',
                    "",
                    "",
                ],
            )

    raw_seconds = run_threads(args.threads, per_thread, raw)

    start = time.perf_counter()
    sealed = services.seal_pending()
    seal_seconds = time.perf_counter() - start
    start = time.perf_counter()
    report = services.verify_database()
    verify_seconds = time.perf_counter() - start
    assert report.ok and sealed == 2 * total, (report.first_problem, sealed)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database            {args.db} ({args.threads} writer threads, {total} events each phase)")
    print(f"record_event        {total / record_seconds:10.0f} events/s  ({record_seconds:.2f} s)")
    print(f"raw INSERT floor    {total / raw_seconds:10.0f} rows/s    ({raw_seconds:.2f} s)")
    print(f"seal                {sealed / seal_seconds:10.0f} events/s  ({seal_seconds:.2f} s for {sealed})")
    print(f"verify              {report.checked / verify_seconds:10.0f} events/s  ({verify_seconds:.2f} s)")
    print(f"peak RSS            {peak_mb:10.0f} MB")
    print(
        json.dumps(
            {
                "benchmark": "audit",
                "db": args.db,
                "threads": args.threads,
                "events": total,
                "record_per_second": round(total / record_seconds),
                "raw_per_second": round(total / raw_seconds),
                "ratio_to_floor": round(record_seconds / raw_seconds, 2),
                "seal_per_second": round(sealed / seal_seconds),
                "verify_per_second": round(report.checked / verify_seconds),
                "peak_rss_mb": round(peak_mb),
            }
        )
    )


if __name__ == "__main__":
    main()
