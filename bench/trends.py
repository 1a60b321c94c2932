"""The trends over many cases: roll-up refresh, the trends page and the briefing PDF, on SQLite and PostgreSQL.

Each database is filled with N cases of the 13 case-holding members (``LINTAS_BENCH_TRENDS_CASES`` or ``--cases``,
default 1,000,000), generated in SQL (a recursive CTE on SQLite, ``generate_series`` on PostgreSQL): 15 crime types,
36 months of first incidents, one or two countries and two modus operandi tags from a vocabulary of 40, one loss in
USD, two identifiers of 12 kinds (TRON and EVM wallets, payment aliases, handles by platform, phones ...), a
cross-border hit every 100 cases, and a sent request every 200 cases (half answered, a quarter with an outcome).
Then, per database:

1. ``refresh_rollups`` of every month (goal < 60 s): PostgreSQL's ``INSERT ... SELECT`` path and, beside it, the
   portable path on the same data (the path SQLite always takes);
2. ``GET /insights/trends/`` (default filters, the last 12 months) through the Django test client, signed in as an
   SPF investigator: the median of ``--runs`` (goal < 500 ms);
3. ``GET /insights/trends/briefing.pdf`` (WeasyPrint, charts as SVG): the median of 3 (goal < 5 s).

    python bench/trends.py [--cases 1000000] [--db sqlite,postgres] [--runs 5]

Each database runs in a process of its own (settings are per process); PostgreSQL is skipped when the server
(``LINTAS_BENCH_PG_SERVER``, default postgres://postgres@127.0.0.1:5432) does not answer. The final line is JSON.
"""

# ruff: noqa: S608 - SQL built from the script's own constants, no input

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
DB_NAME = "lintas_bench_trends"
SERVER = os.environ.get("LINTAS_BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
CRIMES = [
    "investment_fraud", "romance_fraud", "bec", "voice_phishing", "phishing", "shopping_fraud", "job_scam",
    "loan_scam", "sextortion", "ransomware", "account_takeover", "money_mule", "crypto_fraud", "illegal_gambling",
    "other",
]  # fmt: skip
COUNTRIES = ["KR", "MY", "KH", "ID", "PH", "TH", "VN", "SG", "BN", "LA", "MM", "TL"]
KINDS = [
    ("crypto_wallet", "tron:T"), ("crypto_wallet", "evm:0x"), ("crypto_wallet", "btc:bc1"), ("phone", "+6"),
    ("payment_alias", "promptpay:+66"), ("payment_alias", "duitnow:+60"), ("payment_alias", "gcash:+63"),
    ("social_handle", "telegram:"), ("social_handle", "whatsapp:+"), ("social_handle", "line:"),
    ("bank_account", "MY:"), ("email", "x@"),
]  # fmt: skip


def _case_sql(vendor: str, n: int, agencies: list[int]) -> list[str]:
    """Statements filling cases, losses and identifiers with n rows (ids 1..n) from the row number ``i``."""
    if vendor == "postgresql":
        series = f"SELECT generate_series(1, {n}) AS i"
        as_json = "jsonb_build_array"
        day = "(DATE '2023-01-01' + ((i * 37) % 1095))"
        now = "now()"
        text = "::text"
    else:
        series = f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) SELECT i FROM s"
        as_json = "json_array"
        day = "date('2023-01-01', '+' || ((i * 37) % 1095) || ' days')"
        now = "datetime('now')"
        text = ""
    agency = "CASE (i % 13) " + " ".join(f"WHEN {k} THEN {a}" for k, a in enumerate(agencies)) + " END"
    crime = "CASE (i * 7 % 15) " + " ".join(f"WHEN {k} THEN '{c}'" for k, c in enumerate(CRIMES)) + " END"

    def country(expr):
        return "CASE (" + expr + ") % 12 " + " ".join(f"WHEN {k} THEN '{c}'" for k, c in enumerate(COUNTRIES)) + " END"

    countries = (
        f"CASE WHEN i % 4 = 0 THEN {as_json}({country('i')}, {country('i + 5')}) ELSE {as_json}({country('i')}) END"
    )
    modus = f"{as_json}('tag ' || ((i * 13) % 40){text}, 'tag ' || ((i * 7) % 40){text})"
    empty = f"{as_json}()"
    statements = [
        f"""INSERT INTO cases_case (id, owner_agency_id, created_at, updated_at, reference, external_reference, title,
            crime_type, modus_operandi, status, first_incident_on, countries, narrative, victim_count,
            victim_nationalities, victim_age_bands, distribution, tlp, handling_code, handling_text,
            source_reliability, information_accuracy, purpose, legal_basis, review_on, hide_owner_in_hits)
            SELECT i, {agency}, {now}, {now}, 'B-' || i, '', 'bench case ' || i, {crime}, {modus}, 'open', {day},
                   {countries}, '', 1 + i % 5, {empty}, {empty}, 'owner', 'amber', 'H0', '', 'X', '4', '', '',
                   '2031-01-01', {"i % 50 = 0" if vendor == "postgresql" else "(i % 50 = 0)"}
            FROM ({series}) s""",
        f"""INSERT INTO cases_caseloss (case_id, amount, currency, occurred_on, usd_amount)
            SELECT i, 100 + (i % 997), 'USD', NULL, 100 + (i % 997) FROM ({series}) s""",
    ]
    for slot in range(2):
        kind = f"CASE ((i + {slot}) * 5 % {len(KINDS)}) "
        type_ = kind + " ".join(f"WHEN {k} THEN '{t}'" for k, (t, _p) in enumerate(KINDS)) + " END"
        value = kind + " ".join(f"WHEN {k} THEN '{p}' || i" for k, (_t, p) in enumerate(KINDS)) + " END"
        statements.append(
            f"""INSERT INTO cases_caseidentifier (case_id, owner_agency_id, type, value, display, raw, country, valid,
                role, token, linked_token, blind, created_at)
                SELECT i, {agency}, {type_}, {value}, '', '', '', {"true" if vendor == "postgresql" else 1}, 'other',
                       'k' || {slot} || '-' || i, '', {"false" if vendor == "postgresql" else 0}, {now}
                FROM ({series}) s"""
        )
    return statements


def fill(n: int) -> None:
    from django.db import connection, transaction

    from lintas.agencies.models import Agency
    from lintas.assistance.models import AssistanceRequest, Outcome
    from lintas.cases.models import Case, CaseIdentifier
    from lintas.matching.models import Hit

    stored = Case.objects.count()
    if stored == n:
        print(f"  {n:,} cases already there", file=sys.stderr)
        return
    if stored and connection.vendor == "postgresql":  # a run of another size: start again
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE cases_case, cases_caseloss, cases_caseidentifier, matching_hit, "
                "assistance_assistancerequest, assistance_outcome, insights_monthlyrollup CASCADE"
            )
    start = time.perf_counter()
    codes = ["knpa", "rmp", "cnp", "inp", "pnp", "rtp", "mps-vn", "spf", "rbpf", "lao-mps", "mpf", "pntl", "interpol"]
    ids = dict(Agency.objects.values_list("code", "pk"))
    agencies = [ids[c] for c in codes]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in _case_sql(connection.vendor, n, agencies):
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [n])
    # Hits: case i and case i+1 (different agencies, usually different countries) every 100 cases.
    first = CaseIdentifier.objects.filter(token__startswith="k0-")  # noqa: S106 - a match token, not a password
    identifiers = dict(first.values_list("case_id", "pk"))
    owner = {i: agencies[i % 13] for i in range(1, n + 2)}
    hits = [
        Hit(token=f"k0-{i}", left_id=identifiers[i], right_id=identifiers[i + 1], left_case_id=i, right_case_id=i + 1,
            left_agency_id=owner[i], right_agency_id=owner[i + 1])
        for i in range(1, n, 100) if i + 1 in identifiers
    ]  # fmt: skip
    Hit.objects.bulk_create(hits, batch_size=5000)
    import datetime as dt

    base = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    requests = []
    for i in range(1, n, 200):
        sender, receiver = agencies[i % 12], agencies[(i + 3) % 12]
        sent = base + dt.timedelta(hours=(i * 17) % (1095 * 24))
        requests.append(
            AssistanceRequest(
                reference=f"B-RQ-{i}", sender_agency_id=sender, receiver_agency_id=receiver, type="stop_payment",
                subject="bench", asked="bench", due_at=sent + dt.timedelta(days=2), status="sent", sent_at=sent,
                actioned_at=sent + dt.timedelta(hours=1 + i % 90) if i % 2 else None,
            )
        )  # fmt: skip
    AssistanceRequest.objects.bulk_create(requests, batch_size=5000)
    made = AssistanceRequest.objects.filter(reference__startswith="B-RQ-").values_list("pk", flat=True)
    Outcome.objects.bulk_create(
        [Outcome(request_id=pk, currency="USD", amount_frozen=1000 + pk % 5000) for pk in made[::4]], batch_size=5000
    )
    print(f"  stored {n:,} cases, {len(hits):,} hits, {len(requests):,} requests in "
          f"{time.perf_counter() - start:.0f} s", file=sys.stderr)  # fmt: skip


def measure(db: str, n: int, runs: int) -> dict:
    os.environ.update(
        LINTAS_ENV="development",
        LINTAS_DEBUG="0",
        LINTAS_DATA_DIR=os.environ.get("LINTAS_BENCH_DATA_DIR") or tempfile.mkdtemp(prefix="lintas-bench-trends-"),
        DJANGO_SETTINGS_MODULE="lintas.settings",
        LINTAS_JOBS_IMMEDIATE="1",
    )
    if db == "postgres":
        os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, SRC)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lintas.accounts.models import User
    from lintas.agencies.models import Agency
    from lintas.insights.models import MonthlyRollup
    from lintas.insights.services import refresh_rollups

    call_command("migrate", verbosity=0)
    # Static URLs without the production manifest (no collectstatic for a measurement of the page's own work).
    from django.conf import settings
    from django.test.utils import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    fill(n)
    result: dict = {"db": db, "cases": n}
    if db == "postgres":
        start = time.perf_counter()
        refresh_rollups(fast=False)
        result["refresh_portable_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    report = refresh_rollups()
    result["refresh_s"] = round(time.perf_counter() - start, 2)
    result["refresh_path"] = report["path"]
    result["rollup_rows"] = MonthlyRollup.objects.count()
    user, _ = User.objects.get_or_create(username="bench.trends", defaults={"agency": Agency.objects.get(code="spf")})
    client = Client()
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "bench"})
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    # The last 12 months of the generated data (2025), so the page has full figures to show.
    query = "?start=2025-01&end=2025-12"
    client.get("/insights/trends/" + query)  # warm-up: templates, translations
    pages = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get("/insights/trends/" + query)
        pages.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    result["page_ms"] = round(statistics.median(pages) * 1000, 1)
    result["page_bytes"] = len(response.content)
    pdfs = []
    for _ in range(3):
        start = time.perf_counter()
        response = client.get("/insights/trends/briefing.pdf" + query)
        pdfs.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    result["pdf_s"] = round(statistics.median(pdfs), 2)
    result["pdf_bytes"] = len(response.content)
    return result


def _postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        return True
    except Exception as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("LINTAS_BENCH_TRENDS_CASES", "1000000")))
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process: measure this database only
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.cases, args.runs)))
        return
    results = []
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        if db == "postgres" and not _postgres_reachable():
            continue
        print(f"{db}: filling and measuring {args.cases:,} cases ...", file=sys.stderr)
        out = subprocess.run(
            [sys.executable, __file__, "--one", db, "--cases", str(args.cases), "--runs", str(args.runs)],
            check=False, capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode:
            sys.stderr.write(out.stderr)
            print(f"{db} failed", file=sys.stderr)
            continue
        sys.stderr.write(out.stderr)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"  {results[-1]}", file=sys.stderr)
    print(f"{'':28}" + "".join(f"{r['db']:>14}" for r in results))
    rows = [
        ("roll-up refresh (s)", "refresh_s", "goal < 60"),
        ("  portable path (s)", "refresh_portable_s", ""),
        ("roll-up rows", "rollup_rows", ""),
        ("trends page (ms, median)", "page_ms", "goal < 500"),
        ("briefing PDF (s, median)", "pdf_s", "goal < 5"),
    ]
    for label, key, goal in rows:
        print(f"{label:28}" + "".join(f"{r.get(key, '—')!s:>14}" for r in results) + f"   {goal}")
    print(json.dumps({"bench": "trends", "cases": args.cases, "results": results}))


if __name__ == "__main__":
    main()
