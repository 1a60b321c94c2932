"""Lookup latency with many stored identifiers, and single-value API lookups per second.

Fills a PostgreSQL database (``lintas_bench_lookup``, kept between runs) with N identifiers over N/5 cases of the 13
case-holding members, in real national formats (the generator's value makers) with their match tokens, some of them
hot. Then:

1. ``lintas.matching.services.lookup`` of 1,000 mixed values (70 % stored, typed as an officer of another country
   would type them; 30 % unknown) by an SPF investigator, ``--runs`` times: p50 and p95 (goal p95 < 200 ms);
2. ``POST /api/v1/lookup`` with one value and a bearer token against gunicorn with 2 sync workers (as ``lintas
   serve`` runs it; ``--worker-threads`` N > 1 runs gthread workers instead) on 127.0.0.1, from ``--threads``
   connections of wrk (or Python client threads with ``--client python``) for ``--seconds`` seconds: requests per
   second (goal >= 1,000/s), latency, and the CPU each party (gunicorn workers, PostgreSQL, the load generator)
   spent per request, which tells where a faster rate would have to come from.

    python bench/lookup.py --identifiers 1000000 [--runs 50] [--seconds 20] [--threads 16] [--worker-threads 1]
                           [--client wrk|python] [--rebuild]

The final line is JSON.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from procstat import cpu_seconds, machine_pace  # bench/procstat.py: the script's own folder is on the path

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
DB_NAME = "lintas_bench_lookup"
CHUNK = 100_000


def setup(rebuild: bool) -> str:
    import psycopg

    server = os.environ.get("LINTAS_BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if rebuild and exists:
            conn.execute(f'DROP DATABASE "{DB_NAME}"')
        if rebuild or not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    os.environ.update(
        LINTAS_ENV="development",
        LINTAS_DEBUG="0",
        DATABASE_URL=f"{server}/{DB_NAME}",
        LINTAS_DATA_DIR=tempfile.mkdtemp(prefix="lintas-bench-"),
        DJANGO_SETTINGS_MODULE="lintas.settings",
    )
    os.environ.pop("LINTAS_REDIS_URL", None)
    # The hourly lookup allowances (user and agency) are counted (their cost is measured) but set out of reach of the
    # runs.
    os.environ["LINTAS_LOOKUP_VALUES_PER_HOUR"] = str(10**9)
    os.environ["LINTAS_LOOKUP_VALUES_PER_AGENCY_HOUR"] = str(10**9)
    sys.path.insert(0, SRC)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"]


def populate(count: int, seed: int) -> None:
    """COPY ``count`` identifiers (5 a case) with their tokens; hot values in 300 cases each."""
    from django.db import connection, transaction
    from django.utils import timezone

    from lintas.agencies.models import Agency
    from lintas.cases.generator import _KINDS, COUNTRIES, MEMBERS, _Values
    from lintas.matching.tokens import community_key, token_for

    rng = random.Random(seed)
    values = _Values(rng)
    key = community_key()
    agencies = dict(Agency.objects.values_list("code", "id"))
    members = list(MEMBERS.values())
    kinds = [k for k, _w in _KINDS]
    weights = [w for _k, w in _KINDS]
    now = timezone.now()
    review = now.date().replace(year=now.year + 5, day=1)
    cases = count // 5
    hot = [values.draw("wallet", "") for _ in range(20)]
    hot_at: dict[int, list[int]] = {}
    for index in range(len(hot)):
        for case in rng.sample(range(cases), min(300, cases)):
            hot_at.setdefault(case, []).append(index)
    case_rows, ident_rows = [], []
    ident_id = 0
    start = time.perf_counter()

    def flush():
        with connection.cursor() as cursor:
            copy_rows(cursor, "cases_case", CASE_COLUMNS, case_rows)
            copy_rows(cursor, "cases_caseidentifier", IDENT_COLUMNS, ident_rows)
        case_rows.clear()
        ident_rows.clear()

    with transaction.atomic():
        for case in range(1, cases + 1):
            member = rng.choices(members, [m.weight for m in members])[0]
            agency_id = agencies[member.code]
            case_rows.append(
                (case, agency_id, f"LK-{case}", f"LK-{case}", f"Lookup bench case {case}", "investment_fraud",
                 "open", "", "[]", "[]", 0, "[]", "[]", rng.choice(("owner", "all")), "amber", "H0", "", "X", "4",
                 "", "", review, False, now, now)
            )  # fmt: skip
            bases = [
                values.draw(rng.choices(kinds, weights)[0], member.country or rng.choice(COUNTRIES)) for _ in range(5)
            ]
            bases += [hot[h] for h in hot_at.get(case - 1, [])]
            seen = set()
            for base in bases:
                family = base.family
                if family in seen:
                    continue
                seen.add(family)
                kind, _sep, value = family.partition(":")
                linked = ""
                if base.kind in ("alias", "whatsapp"):  # the family is the phone behind; the own key is the alias
                    linked = token_for(key, family)
                    written = base.render(MEMBERS["spf"], rng)[0]
                    kind = "payment_alias" if base.kind == "alias" else "social_handle"
                    value = (
                        f"{written.split(':')[0]}:{base.canonical}"
                        if base.kind == "alias"
                        else f"whatsapp:{base.canonical}"
                    )
                    family = f"{kind}:{value}"
                ident_id += 1
                ident_rows.append(
                    (ident_id, case, agency_id, kind, value, value, value, "", True, "other", None, None,
                     token_for(key, family), linked, False, now)
                )  # fmt: skip
            if len(ident_rows) >= CHUNK:
                flush()
                if ident_id % (10 * CHUNK) < CHUNK:
                    rate = ident_id / (time.perf_counter() - start)
                    print(f"  ... {ident_id} identifiers ({rate:,.0f}/s)", file=sys.stderr)
        flush()
        with connection.cursor() as cursor:
            for table in ("cases_case", "cases_caseidentifier"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
        cursor.execute("ANALYZE cases_caseidentifier")
    # Hot values: the matching engine would have recorded them; do the same so lookups answer "hot".
    from lintas.matching.models import HotValue

    HotValue.objects.bulk_create(
        [HotValue(token=token_for(key, base.family), case_count=300) for base in hot], ignore_conflicts=True
    )
    print(f"stored {ident_id} identifiers in {cases} cases in {time.perf_counter() - start:.0f} s", file=sys.stderr)


CASE_COLUMNS = (
    "id", "owner_agency_id", "reference", "external_reference", "title", "crime_type", "status", "narrative",
    "countries", "modus_operandi", "victim_count", "victim_nationalities", "victim_age_bands", "distribution", "tlp",
    "handling_code", "handling_text", "source_reliability", "information_accuracy", "purpose", "legal_basis",
    "review_on", "hide_owner_in_hits", "created_at", "updated_at",
)  # fmt: skip
IDENT_COLUMNS = (
    "id", "case_id", "owner_agency_id", "type", "value", "display", "raw", "country", "valid", "role",
    "first_seen_on", "last_seen_on", "token", "linked_token", "blind", "created_at",
)  # fmt: skip


def copy_rows(cursor, table, columns, rows):
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def lookup_values(count: int, seed: int) -> list[str]:
    """Values as an SPF officer would type them: 70 % stored ones (sampled from the database), 30 % unknown."""
    from lintas import identifiers
    from lintas.cases.generator import _KINDS, COUNTRIES, MEMBERS, _Values
    from lintas.cases.models import CaseIdentifier
    from lintas.matching.tokens import community_key, tokens_for

    rng = random.Random(seed + 1)
    key = community_key()
    total = CaseIdentifier.objects.count()
    stored = []
    ids = rng.sample(range(1, total + 1), min(total, int(count * 0.8)))
    for value, token in CaseIdentifier.objects.filter(pk__in=ids).values_list("value", "token"):
        family, _sep, rest = value.partition(":")
        written = {
            "tron": rest, "evm": rest, "btc": rest, "telegram": f"t.me/{rest}", "whatsapp": f"wa.me/{rest.lstrip('+')}"
        }.get(family, value)  # fmt: skip
        result = identifiers.normalize(written, None, "SG")  # as lookup reads it
        if result.valid and tokens_for(key, result)[0] == token:
            stored.append(written)
    stored = list(dict.fromkeys(stored))[: int(count * 0.7)]  # distinct values: hot ones are not over-sampled
    drawer = _Values(random.Random(seed + 2))
    kinds = [k for k, _w in _KINDS]
    unknown = []
    while len(unknown) < count - len(stored):
        base = drawer.draw(rng.choice(kinds), rng.choice(COUNTRIES))
        written = base.render(MEMBERS["spf"], rng)[0]
        if identifiers.normalize(written, None, "SG").valid:
            unknown.append(written)
    mixed = stored + unknown
    rng.shuffle(mixed)
    return mixed


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def service_lookups(user, pool: list[str], runs: int, seed: int) -> dict:
    from lintas.matching import services

    rng = random.Random(seed + 3)
    services.lookup(user, values=pool[:1000])  # warm-up
    from lintas import identifiers

    times, matched, normalize_ms = [], [], []
    for _ in range(runs):
        batch = rng.sample(pool, 1000)
        start = time.perf_counter()
        answers = services.lookup(user, values=batch)
        times.append((time.perf_counter() - start) * 1000)
        matched.append(sum(1 for a in answers if a.matches))
        start = time.perf_counter()
        for value in batch:  # the part no database can speed up: reading each value as lookup does
            identifiers.normalize(value, None, "SG")
        normalize_ms.append((time.perf_counter() - start) * 1000)
    return {
        "normalize_p50_ms": round(percentile(normalize_ms, 50), 1),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "values_with_matches": round(statistics.mean(matched)),
    }


def load(port: int, method: str, path: str, bodies: list[str | None], headers: dict, seconds: float, threads: int):
    """Requests from ``threads`` client threads for ``seconds`` (after 2 s not counted): rate, latency, statuses."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    counting = threading.Event()

    def client(index: int) -> None:
        rng = random.Random(index)
        mine, codes = [], {}
        while not stop.is_set():
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request(method, path, body=rng.choice(bodies), headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                conn.close()
            except OSError:
                status = 0
            if counting.is_set():
                mine.append(time.perf_counter() - start)
                codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    pool = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    time.sleep(2)
    counting.set()
    start = time.perf_counter()
    time.sleep(seconds)
    counting.clear()
    elapsed = time.perf_counter() - start
    stop.set()
    for thread in pool:
        thread.join()
    done = sum(statuses.values())
    return {
        "requests_per_second": round(done / elapsed),
        "statuses": statuses,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
    }


WRK_SCRIPT = r"""
-- POST a random body of the file (one JSON body a line), or GET when the file is empty; a JSON line of figures.
local bodies = {}
init = function(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end
request = function()
  if #bodies == 0 then return wrk.format("GET", nil) end
  return wrk.format("POST", nil, nil, bodies[math.random(#bodies)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, "p50_us": %d, "p95_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


def load_wrk(
    port: int, method: str, path: str, bodies: list[str | None], headers: dict, seconds: float, connections: int
) -> dict:
    """The same load from wrk (C, two threads): a client that leaves the server most of this 2-core machine."""
    workdir = tempfile.mkdtemp(prefix="lintas-wrk-")
    script, body_file = os.path.join(workdir, "load.lua"), os.path.join(workdir, "bodies.txt")
    with open(script, "w") as handle:
        handle.write(WRK_SCRIPT)
    with open(body_file, "w") as handle:
        handle.write("\n".join(b for b in bodies if b) + ("\n" if any(bodies) else ""))

    def command(duration: float) -> list[str]:
        words = ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{duration:.0f}s",
                 "--timeout", "10s", "--script", script]  # fmt: skip
        for name, value in headers.items():
            words += ["--header", f"{name}: {value}"]
        return [*words, f"http://127.0.0.1:{port}{path}", "--", body_file]

    subprocess.run(command(2), check=True, capture_output=True)  # warm-up, not counted
    out = subprocess.run(command(seconds), check=True, capture_output=True, text=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    seconds_run = figures["duration_us"] / 1e6
    ok = figures["requests"] - figures["non_2xx"]
    return {
        "requests_per_second": round(figures["requests"] / seconds_run),
        "statuses": {200: ok, "other": figures["non_2xx"], "socket_errors": figures["socket_errors"]},
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
    }


def _cpu_by_party(server_pid: int) -> dict[str, dict[int, float]] | None:
    """CPU seconds so far of each gunicorn worker and each PostgreSQL process (Linux /proc), and of this benchmark's
    finished children (the load generator)."""
    if not os.path.isdir("/proc"):
        return None

    def pids(*args: str) -> list[int]:
        return [int(p) for p in subprocess.run(["pgrep", *args], capture_output=True, text=True).stdout.split()]

    def cpu(pid: int) -> float:
        return cpu_seconds(pid) or 0.0  # a process gone meanwhile counts as nothing

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "workers": {pid: cpu(pid) for pid in pids("-P", str(server_pid))},
        "postgresql": {pid: cpu(pid) for pid in pids("-x", "postgres")},
        "load generator": {0: children.ru_utime + children.ru_stime},
    }


def _cpu_per_request(before, after, seconds: float, rate: int) -> dict[str, float] | None:
    """Milliseconds of CPU each party spent per request: its CPU per second of load over the requests per second
    (the load generator's warm-up is inside the interval; the rates are steady, so the ratio holds)."""
    if before is None or after is None or not rate:
        return None
    return {
        party: round(1000 * sum(t - before[party].get(pid, 0.0) for pid, t in after[party].items()) / seconds / rate, 3)
        for party in after
    }


def api_lookups(
    secret: str, pool: list[str], seconds: float, threads: int, workers: int, client: str, worker_threads: int
) -> dict:
    """Single-value lookups on gunicorn, and on the same server two floors: the health check (no session, no
    token, no database) and GET /api/v1/me (token check only)."""
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lintas.settings"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lintas.wsgi:application", "--workers", str(workers),
         "--worker-class", "gthread" if worker_threads > 1 else "sync", "--threads", str(worker_threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    run = load_wrk if client == "wrk" else load
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.3)
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        bodies = [json.dumps({"values": [value]}) for value in pool[:5000]]
        cpu_before, wall_before = _cpu_by_party(server.pid), time.perf_counter()
        result = run(port, "POST", "/api/v1/lookup", bodies, headers, seconds, threads)
        result["cpu_ms_per_request"] = _cpu_per_request(
            cpu_before, _cpu_by_party(server.pid), time.perf_counter() - wall_before, result["requests_per_second"]
        )
        short = max(5.0, seconds / 3)
        result["healthz"] = run(port, "GET", "/healthz", [None], {}, short, threads)
        result["me"] = run(
            port, "GET", "/api/v1/me", [None], {"Authorization": headers["Authorization"]}, short, threads
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identifiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--worker-threads", type=int, default=1, help="threads per gunicorn worker (1: sync workers, as lintas serve)"
    )
    parser.add_argument(
        "--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
        help="load generator: wrk (apt-get install wrk; default when installed) or Python threads",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="drop and fill the database again")
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    setup(args.rebuild)

    from lintas.accounts import services as accounts
    from lintas.accounts.choices import Role, TokenScope
    from lintas.accounts.models import User, UserRole
    from lintas.agencies.models import Agency
    from lintas.cases.models import CaseIdentifier

    stored = CaseIdentifier.objects.count()
    if stored < args.identifiers * 0.95:
        if stored:
            raise SystemExit(f"{stored} identifiers stored, {args.identifiers} asked: run with --rebuild")
        populate(args.identifiers, args.seed)
        stored = CaseIdentifier.objects.count()
    user = User.objects.filter(username="bench.spf").first()
    if user is None:
        user = User.objects.create_user(username="bench.spf", password=None, agency=Agency.objects.get(code="spf"))
        UserRole.objects.create(user=user, role=Role.INVESTIGATOR)
    pool = lookup_values(20_000, args.seed)
    # As each web worker does once loaded (lintas/wsgi.py): what was loaded before serving leaves the cyclic collector's
    # walks. Without it, collections walking this process's 20,000-value pool and set-up made the p95 (200 ms, 50 %
    # over the p50), which a server's lookup does not pay.
    gc.freeze()
    pace = [machine_pace(), 0.0]
    service = service_lookups(user, pool, args.runs, args.seed)
    print(f"stored identifiers  {stored:,}")
    print(f"lookup of 1,000     p50 {service['p50_ms']} ms, p95 {service['p95_ms']} ms, max {service['max_ms']} ms "
          f"({service['values_with_matches']} values with matches), {args.runs} runs; normalising the 1,000 "
          f"values alone: p50 {service['normalize_p50_ms']} ms; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    api = {}
    if not args.skip_api:
        _, secret = accounts.create_api_token(user, name="bench", scope=TokenScope.READ, days=1)
        api = api_lookups(secret, pool, args.seconds, args.threads, args.workers, args.client, args.worker_threads)
        print(
            f"API single lookups  {api['requests_per_second']:,}/s with {args.workers} gunicorn workers of "
            f"{args.worker_threads} threads and {args.threads} {args.client} connections, p50 {api['p50_ms']} ms, "
            f"p95 {api['p95_ms']} ms, "
            f"{api['statuses']}"
        )
        if api.get("cpu_ms_per_request"):
            print("  CPU per request    " + ", ".join(f"{k} {v} ms" for k, v in api["cpu_ms_per_request"].items()))
        for name in ("healthz", "me"):
            floor = api[name]
            print(
                f"  floor {name:<12} {floor['requests_per_second']:,}/s, p50 {floor['p50_ms']} ms, {floor['statuses']}"
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pace[1] = machine_pace()
    print(f"machine pace        {pace[0]:.0f} -> {pace[1]:.0f} ns a step of procstat.machine_pace (lower is faster)")
    print(
        json.dumps(
            {
                "benchmark": "lookup",
                "stored_identifiers": stored,
                "lookup_1000_p50_ms": service["p50_ms"],
                "lookup_1000_p95_ms": service["p95_ms"],
                "lookup_1000_max_ms": service["max_ms"],
                "values_with_matches": service["values_with_matches"],
                "normalize_1000_p50_ms": service["normalize_p50_ms"],
                "api_requests_per_second": api.get("requests_per_second"),
                "api_p50_ms": api.get("p50_ms"),
                "api_p95_ms": api.get("p95_ms"),
                "api_non_200": sum(n for code, n in api.get("statuses", {}).items() if code != 200) if api else None,
                "api_client": args.client if api else None,
                "api_workers": f"{args.workers}x{args.worker_threads} threads" if api else None,
                "api_healthz_per_second": api["healthz"]["requests_per_second"] if api else None,
                "api_me_per_second": api["me"]["requests_per_second"] if api else None,
                "api_cpu_ms_per_request": api.get("cpu_ms_per_request") if api else None,
                "cpus": os.cpu_count(),
                "peak_rss_mb": round(peak_mb),
                "load_average": round(os.getloadavg()[0], 1),
                "machine_pace_ns": [round(x) for x in pace],
            }
        )
    )


if __name__ == "__main__":
    main()
