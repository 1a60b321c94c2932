"""The re-match sweep over every stored identifier, against a plain ``GROUP BY token`` of the same table.

Fills a PostgreSQL database (``lintas_bench_rematch``, kept between runs of the same size) with N identifiers over N/5
cases of the 13 case-holding members, generated in SQL (``generate_series``; indexes and constraints built after the
load, as a restore does): unique tokens but for

- shared keys: every 40th identifier's token is also carried by the next case's identifier (another agency) and, as
  its linked token, by the one after (a third agency): three hits a key, N/40 keys;
- 10 % of the other identifiers carry a linked token of their own (matching searches both columns);
- up to 20 hot keys, each in 60 cases of all agencies (over the default cap of 50: no hits, recorded as hot);
- 10 benign keys in 10 cases each (listed: no hits).

The hits of nine shared keys in ten are stored as matching would have stored them; those of every tenth key are
missing. Then, in the same run: the floor, ``SELECT token, count(*) ... GROUP BY token`` over the table (a first run
warms the cache; the floor is the mean of a run before the sweeps and one after), and the sweep
(``lintas.matching.sweep.sweep``: search, then matching the keys found through the engine, audited and notified),
which must create exactly the missing hits; and the sweep again, which must create none (what a nightly run costs
when nothing is missing).

    python bench/rematch.py [--identifiers 100000] [--rebuild]

The final line is JSON. ``make bench`` runs the default size; 1 M and 10 M identifiers are run by hand.
"""

# ruff: noqa: S608 - SQL built from the script's own constants, no input

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time

from procstat import machine_pace  # bench/procstat.py: the script's own folder is on the path

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
DB_NAME = "lintas_bench_rematch"
SHARED_EVERY = 40  # identifiers 40s+1, 40s+6 (own token) and 40s+11 (linked token) carry shared key s
HOT_KEYS, HOT_CASES = 20, 60
BENIGN_KEYS, BENIGN_CASES = 10, 10


SERVER = os.environ.get("LINTAS_BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def setup_database(rebuild: bool) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if rebuild and exists:
            conn.execute(f'DROP DATABASE "{DB_NAME}"')
        if rebuild or not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def setup(rebuild: bool) -> None:
    server = SERVER
    setup_database(rebuild)
    os.environ.update(
        LINTAS_ENV="development",
        LINTAS_DEBUG="0",
        DATABASE_URL=f"{server}/{DB_NAME}",
        LINTAS_DATA_DIR=tempfile.mkdtemp(prefix="lintas-bench-"),
        DJANGO_SETTINGS_MODULE="lintas.settings",
    )
    os.environ.pop("LINTAS_REDIS_URL", None)
    os.environ.pop("LINTAS_HOT_VALUE_CAP", None)  # the default cap, 50: the hot keys' 60 cases are over it
    sys.path.insert(0, SRC)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def missing_filter(left: str = "left_id") -> str:
    """SQL selecting the hits the build leaves out (``left``: the column of a hit's left identifier): those of every
    tenth shared key."""
    return f"(({left} - 1) / {SHARED_EVERY}) % 10 = 0 AND {left} % {SHARED_EVERY} IN (1, 6)"


def populate(count: int) -> dict:
    """Generate ``count`` identifiers (5 a case) with their tokens in SQL, and the hits matching would have stored
    but the missing ones; returns what the build holds."""
    from django.db import connection, transaction

    from lintas.agencies.models import Agency

    agencies = [agency.pk for agency in Agency.objects.order_by("pk") if not agency.is_secretariat]
    members = "ARRAY[" + ",".join(str(pk) for pk in agencies) + "]::bigint[]"
    count = count // SHARED_EVERY * SHARED_EVERY  # whole blocks: every shared key has its three carriers
    cases = count // 5
    hot_keys = min(HOT_KEYS, count // (SHARED_EVERY * HOT_CASES))
    benign_keys = min(BENIGN_KEYS, count // (SHARED_EVERY * BENIGN_CASES))
    e = SHARED_EVERY
    start = time.perf_counter()
    agency_of = f"({members})[1 + (c %% {len(agencies)})]"
    with transaction.atomic(), connection.cursor() as cursor:
        # Indexes and constraints after the load (sorted builds, no per-row checks), as pg_restore does.
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'cases_caseidentifier'::regclass AND contype IN ('u', 'f')"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cases_caseidentifier' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'cases_caseidentifier'::regclass)"
        )
        indexes = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE cases_caseidentifier DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            "INSERT INTO cases_case (id, owner_agency_id, reference, external_reference, title, crime_type, status, "
            "narrative, countries, modus_operandi, victim_count, victim_nationalities, victim_age_bands, distribution, "
            "tlp, handling_code, handling_text, source_reliability, information_accuracy, purpose, legal_basis, "
            "review_on, hide_owner_in_hits, created_at, updated_at) "
            f"SELECT c, {agency_of}, 'RM-' || c, 'RM-' || c, 'Re-match bench case ' || c, 'investment_fraud', 'open', "
            "'', '[]', '[]', 0, '[]', '[]', 'owner', 'amber', 'H0', '', 'X', '4', '', '', "
            "(now() + interval '5 years')::date, FALSE, now(), now() FROM generate_series(1, %s) c",
            [cases],
        )
        # j: the identifier; c: its case (5 a case, consecutive); r = j % 40 says which role j plays in its block.
        token = (
            f"CASE WHEN r IN (1, 6) THEN md5('s' || b) "
            f"WHEN r = 21 AND b < {hot_keys * HOT_CASES} THEN md5('h' || (b %% {max(hot_keys, 1)})) "
            f"WHEN r = 31 AND b < {benign_keys * BENIGN_CASES} THEN md5('b' || (b %% {max(benign_keys, 1)})) "
            "ELSE md5('u' || j) END"
        )
        linked = "CASE WHEN r = 11 THEN md5('s' || b) WHEN j %% 10 = 3 THEN md5('l' || j) ELSE '' END"
        cursor.execute(
            "INSERT INTO cases_caseidentifier (id, case_id, owner_agency_id, type, value, display, raw, country, "
            "valid, role, first_seen_on, last_seen_on, token, linked_token, blind, created_at) "
            f"SELECT j, c, {agency_of}, 'other', 'v' || j, 'v' || j, 'v' || j, '', TRUE, 'other', NULL, NULL, "
            f"{token}, {linked}, FALSE, now() "
            f"FROM (SELECT j, (j - 1) / 5 + 1 AS c, j %% {e} AS r, (j - 1) / {e} AS b "
            "FROM generate_series(1, %s) j) g",
            [count],
        )
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE cases_caseidentifier ADD CONSTRAINT "{name}" {definition}')
        # The three pairs of each shared key (40s+1, 40s+6, 40s+11), as matching stores them, but the missing ones.
        cursor.execute(
            "INSERT INTO matching_hit (token, left_id, right_id, left_case_id, right_case_id, left_agency_id, "
            "right_agency_id, created_at) "
            "SELECT md5('s' || ((l.id - 1) / %s)), l.id, r.id, l.case_id, r.case_id, l.owner_agency_id, "
            "r.owner_agency_id, now() FROM cases_caseidentifier l JOIN cases_caseidentifier r "
            "ON r.id IN (l.id + 5, l.id + 10) AND r.id - l.id <= 10 AND (l.id %% %s = 1 OR r.id - l.id = 5) "
            "WHERE l.id %% %s IN (1, 6) AND NOT (" + missing_filter("l.id").replace("%", "%%") + ")",
            [e, e, e],
        )
        cursor.execute(
            "INSERT INTO matching_hotvalue (token, case_count, became_hot_at) "
            f"SELECT md5('h' || k), {HOT_CASES}, now() FROM generate_series(0, %s) k",
            [hot_keys - 1],
        )
        cursor.execute(
            "INSERT INTO matching_benignvalue (token, type, value, category, reason, created_at) "
            "SELECT md5('b' || k), 'other', 'benign ' || k, 'other', 'bench', now() FROM generate_series(0, %s) k",
            [benign_keys - 1],
        )
        for table in ("cases_case", "cases_caseidentifier", "matching_hit"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    connection.ensure_connection()
    old = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_caseidentifier")
        cursor.execute("VACUUM ANALYZE matching_hit")
        cursor.execute("ANALYZE cases_case")
    connection.connection.autocommit = old
    print(f"stored {count:,} identifiers in {cases:,} cases in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return {"identifiers": count}


def expected_missing(count: int) -> int:
    """Hits the build leaves out: three for every tenth shared key."""
    return 3 * len(range(0, count // SHARED_EVERY, 10))


def reset() -> None:
    """Take out the hits a previous run's sweep created, and its hot values (not the built ones)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM matching_hit WHERE " + missing_filter())


def floor() -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(
            "SELECT count(*), sum(n) FROM (SELECT token, count(*) AS n FROM cases_caseidentifier GROUP BY token) g"
        )
        cursor.fetchall()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identifiers", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true", help="drop and fill the database again")
    args = parser.parse_args()
    setup(args.rebuild)

    from lintas.cases.models import CaseIdentifier
    from lintas.matching.models import Hit
    from lintas.matching.sweep import sweep

    stored = CaseIdentifier.objects.count()
    if stored != args.identifiers // SHARED_EVERY * SHARED_EVERY:
        if stored:  # another size: start afresh
            from django.core.management import call_command
            from django.db import connection

            connection.close()
            setup_database(rebuild=True)
            call_command("migrate", verbosity=0)
        populate(args.identifiers)
        stored = CaseIdentifier.objects.count()
    reset()
    expected = expected_missing(stored)
    hits_before = Hit.objects.count()
    from django.urls import reverse

    reverse("matching:hit_list")  # loads the URL configuration once, as a worker has before its first job
    pace = [machine_pace(), 0.0]
    floor()  # warms the cache: the second run is the floor
    floors = [floor()]
    report = sweep(reason="bench")
    again = sweep(reason="bench, again")
    floors.append(floor())  # before and after: a busy neighbour weighs on both sides alike
    floor_s = sum(floors) / 2
    pace[1] = machine_pace()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ok = report.hits == expected and again.hits == 0 and Hit.objects.count() == hits_before + expected
    print(f"stored identifiers  {stored:,} ({hits_before:,} hits stored, {expected:,} missing)")
    print(
        f"GROUP BY token      {floor_s:.2f} s (the floor: {floors[0]:.2f} s before the sweeps, {floors[1]:.2f} s after)"
    )
    print(
        f"re-match sweep      {report.seconds:.2f} s = {report.seconds / floor_s:.2f} x the floor "
        f"(search {report.search_seconds:.2f} s = {report.search_seconds / floor_s:.2f} x, "
        f"{report.keys:,} keys matched again), {report.hits:,} hits created"
    )
    print(
        f"sweep again         {again.seconds:.2f} s = {again.seconds / floor_s:.2f} x the floor, {again.hits} created"
    )
    print(
        f"hits as expected    {'yes' if ok else 'NO'}; peak RSS {peak_mb:.0f} MB; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"machine pace        {pace[0]:.0f} -> {pace[1]:.0f} ns a step of procstat.machine_pace (lower is faster)")
    print(
        json.dumps(
            {
                "benchmark": "rematch",
                "identifiers": stored,
                "group_by_seconds": round(floor_s, 3),
                "group_by_runs_seconds": [round(x, 3) for x in floors],
                "sweep_seconds": report.seconds,
                "sweep_search_seconds": report.search_seconds,
                "ratio_to_group_by": round(report.seconds / floor_s, 2),
                "search_ratio_to_group_by": round(report.search_seconds / floor_s, 2),
                "second_sweep_ratio_to_group_by": round(again.seconds / floor_s, 2),
                "keys_matched_again": report.keys,
                "hits_created": report.hits,
                "hits_expected": expected,
                "second_sweep_seconds": again.seconds,
                "second_sweep_hits": again.hits,
                "peak_rss_mb": round(peak_mb),
                "cpus": os.cpu_count(),
                "load_average": round(os.getloadavg()[0], 1),
                "machine_pace_ns": [round(x) for x in pace],
            }
        )
    )
    if not ok:
        raise SystemExit("the sweep did not create exactly the missing hits")


if __name__ == "__main__":
    main()
