"""Rebuilding the monthly roll-ups (the only writes of the insights app).

``refresh_rollups`` replaces the rows of the months it is given (all months by default) in one transaction, audited
as ``TRENDS_REFRESHED``. On PostgreSQL the case, identifier and hit dimensions are computed by one
``INSERT ... SELECT ... GROUP BY`` (``_insert_postgresql``); elsewhere, or when asked, by the portable path
(``_rows_portable``) that reads the rows through the ORM and counts in Python. Both give the same rows (tested).
Requests are few and need exchange rates and medians: the portable code counts them on both databases.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.insights.choices import Dimension
from lintas.insights.models import MonthlyRollup

__all__ = ["KINDED_TYPES", "identifier_kind", "refresh_rollups"]

# Identifier types whose canonical value starts with what the trends page tells apart: the chain family of a wallet
# (tron, evm, btc ...), the scheme of a payment alias (promptpay, duitnow ...), the platform of a handle.
KINDED_TYPES = ("crypto_wallet", "payment_alias", "social_handle")
KEY_LENGTH = 100
_BATCH = 5000


def identifier_kind(type_: str, value: str) -> str:
    """``crypto_wallet:tron`` for a TRON wallet, ``social_handle:telegram`` ..., else the type (blind identifiers
    carry no value, so only their type)."""
    if type_ in KINDED_TYPES and value.find(":") > 0:
        return f"{type_}:{value.split(':', 1)[0]}"[:KEY_LENGTH]
    return type_[:KEY_LENGTH]


def _month_of(first_incident_on: dt.date | None, created_at: dt.datetime) -> dt.date:
    day = first_incident_on or created_at.astimezone(dt.UTC).date()
    return day.replace(day=1)


def _clean_months(months: Iterable[dt.date] | None) -> list[dt.date] | None:
    if months is None:
        return None
    return sorted({m.replace(day=1) for m in months})


@transaction.atomic
def refresh_rollups(actor=None, months: Iterable[dt.date] | None = None, *, fast: bool | None = None) -> dict:
    """Rebuild the roll-ups of ``months`` (first days; every month when None) from the cases, hits and requests.

    ``actor`` None is a job or the command line; a user must be the platform admin. ``fast`` chooses the path
    (default: PostgreSQL's when on PostgreSQL). Returns a report: rows written, months, seconds, path.
    """
    from lintas.accounts.choices import Role

    if actor is not None and not actor.has_role(Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only the platform admin refreshes the trends."))
    start = time.perf_counter()
    wanted = _clean_months(months)
    fast = connection.vendor == "postgresql" if fast is None else fast
    if fast and connection.vendor != "postgresql":
        raise ValueError("the fast path needs PostgreSQL")
    now = timezone.now()
    old = MonthlyRollup.objects.all()
    if wanted is not None:
        old = old.filter(month__in=wanted)
    old.delete()  # one DELETE: nothing cascades from a roll-up row
    written = _insert_postgresql(wanted, now) if fast else _bulk_insert(_rows_portable(wanted, now))
    written += _bulk_insert(_request_rows(wanted, now))
    with connection.cursor() as cursor:
        # Fresh statistics for the planner: with those of an empty table PostgreSQL sorted 70,000 rows on disk to
        # group what a hash takes in memory (bench/trends.py: the page from 785 to 416 ms over a million cases).
        cursor.execute(f"ANALYZE {MonthlyRollup._meta.db_table}")
    report = {
        "rows": written,
        "months": "all" if wanted is None else [f"{m:%Y-%m}" for m in wanted],
        "seconds": round(time.perf_counter() - start, 2),
        "path": "postgresql" if fast else "portable",
    }
    record_event(
        Action.TRENDS_REFRESHED,
        actor=actor,
        object_type="insights.monthlyrollup",
        details=report,
        actor_username="" if actor is not None else "system",
    )
    return report


COLUMNS = (
    "month", "dimension", "key", "crime_type", "agency_id", "partner_agency_id", "count", "victims", "loss_usd",
    "answered", "turnaround_hours", "frozen_usd", "returned_usd", "refreshed_at",
)  # fmt: skip


def _bulk_insert(rows: Iterable[tuple]) -> int:
    """Insert rows given as tuples in ``COLUMNS`` order with ``executemany``: model instances and ``bulk_create``
    cost ten times as much for the hundreds of thousands of rows a million cases make."""
    ops = connection.ops
    json_cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    placeholders = ", ".join(json_cast if c == "turnaround_hours" else "%s" for c in COLUMNS)
    sql = f"INSERT INTO {MonthlyRollup._meta.db_table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608

    def adapt(row):
        month, dimension, key, crime, agency, partner, count, victims, loss, answered, hours, frozen, returned, at = row
        return (
            ops.adapt_datefield_value(month), dimension, key, crime, agency, partner, count, victims,
            ops.adapt_decimalfield_value(loss, 20, 2), answered, json.dumps(hours),
            ops.adapt_decimalfield_value(frozen, 20, 2), ops.adapt_decimalfield_value(returned, 20, 2),
            ops.adapt_datetimefield_value(at),
        )  # fmt: skip

    written, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(adapt(row))
            if len(batch) >= _BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


# --- the portable path -----------------------------------------------------------------------------------------------


def _case_rows(wanted: list[dt.date] | None):
    from lintas.cases.models import Case, CaseLoss

    losses = CaseLoss.objects.filter(case=OuterRef("pk")).order_by().values("case")
    cases = Case.objects.order_by().annotate(loss=Subquery(losses.annotate(total=Sum("usd_amount")).values("total")))
    if wanted is not None:
        cases = cases.filter(_case_month_filter(wanted))
    return cases.values_list(
        "id",
        "owner_agency_id",
        "crime_type",
        "victim_count",
        "countries",
        "modus_operandi",
        "first_incident_on",
        "created_at",
        "loss",
    ).iterator(chunk_size=_BATCH)


def _case_month_filter(wanted: list[dt.date]):
    """Cases whose month (first incident, else recorded) may be one of ``wanted``: the range, checked exactly after."""
    from django.db.models import Q

    first, last = wanted[0], wanted[-1]
    after = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    recorded = (
        dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC),
        dt.datetime.combine(after, dt.time(), tzinfo=dt.UTC),
    )
    return Q(first_incident_on__gte=first, first_incident_on__lt=after) | Q(
        first_incident_on=None, created_at__gte=recorded[0], created_at__lt=recorded[1]
    )


def _strings(values) -> list[str]:
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def _rows_portable(wanted: list[dt.date] | None, now: dt.datetime):
    """The case, identifier and hit dimensions, counted in Python from the ORM's rows."""
    from lintas.cases.models import CaseIdentifier
    from lintas.matching.models import Hit

    allowed = set(wanted) if wanted is not None else None
    sums: dict[tuple, list] = defaultdict(lambda: [0, 0, Decimal(0)])
    case_month: dict[int, tuple] = {}
    for pk, agency, crime, victims, countries, modus, first, created, loss in _case_rows(wanted):
        month = _month_of(first, created)
        if allowed is not None and month not in allowed:
            continue
        loss = Decimal(loss or 0)
        case_month[pk] = (month, crime, agency)
        groups = [(month, Dimension.CASES, "", crime, agency)]
        groups += [
            (month, Dimension.COUNTRY, c, crime, agency)
            for c in sorted({c.strip(" ").upper()[:KEY_LENGTH] for c in _strings(countries)} - {""})
        ]
        for group in groups:
            entry = sums[group]
            entry[0] += 1
            entry[1] += victims
            entry[2] += loss
        for tag in {t.strip(" ").lower()[:KEY_LENGTH] for t in _strings(modus)} - {""}:
            sums[(month, Dimension.MODUS, tag, crime, agency)][0] += 1
    identifiers = CaseIdentifier.objects.order_by("case_id").values_list("case_id", "type", "value")
    if wanted is not None:
        identifiers = identifiers.filter(case__in=_cases_of(wanted))
    current, kinds = None, set()
    for case_id, type_, value in identifiers.iterator(chunk_size=_BATCH):
        if case_id != current:
            _count_kinds(sums, case_month.get(current), kinds)
            current, kinds = case_id, set()
        kinds.add(identifier_kind(type_, value))
    _count_kinds(sums, case_month.get(current), kinds)
    labels = _agency_labels()
    hits = Hit.objects.order_by().values_list(
        "created_at", "left_agency_id", "right_agency_id", "left_case__hide_owner_in_hits",
        "right_case__hide_owner_in_hits",
    )  # fmt: skip
    for created, left, right, left_hidden, right_hidden in hits.iterator(chunk_size=_BATCH):
        month = created.astimezone(dt.UTC).date().replace(day=1)
        if (allowed is not None and month not in allowed) or labels[left] == labels[right]:
            continue
        sides = sorted(["?" if left_hidden else labels[left], "?" if right_hidden else labels[right]])
        sums[(month, Dimension.HIT, "|".join(sides)[:KEY_LENGTH], "", (left, right))][0] += 1
    for (month, dimension, key, crime, agency), (count, victims, loss) in sums.items():
        agency, partner = agency if isinstance(agency, tuple) else (agency, None)
        yield (month, str(dimension), key, crime, agency, partner, count, victims, loss, 0, [], 0, 0, now)


def _cases_of(wanted: list[dt.date]):
    from lintas.cases.models import Case

    return Case.objects.filter(_case_month_filter(wanted)).values("pk")


def _count_kinds(sums, case: tuple | None, kinds: set[str]) -> None:
    if case is None:
        return
    month, crime, agency = case
    for kind in kinds:
        sums[(month, Dimension.IDENTIFIER, kind, crime, agency)][0] += 1


def _agency_labels() -> dict[int, str]:
    """An agency's country, or its short name when it has none (INTERPOL, the Secretariat), as the ledger shows."""
    rows = Agency.objects.values_list("pk", "country", "short_name")
    return {pk: (country or short)[:40] for pk, country, short in rows}


def _request_rows(wanted: list[dt.date] | None, now: dt.datetime):
    """Requests sent, by month and sender and receiver: answered, turnaround, amounts frozen and returned in USD.

    A receiver that hides its name from the sender (a request made from a hit on a hidden holder) is ``?`` until it
    acknowledges, as in the ledger."""
    from lintas.assistance.models import AssistanceRequest

    labels = _agency_labels()
    requests = AssistanceRequest.objects.filter(sent_at__isnull=False).order_by().values_list(
        "sent_at", "actioned_at", "acknowledged_at", "receiver_hidden", "sender_agency_id", "receiver_agency_id",
        "outcome__currency", "outcome__amount_frozen", "outcome__amount_returned",
    )  # fmt: skip
    allowed = set(wanted) if wanted is not None else None
    groups: dict[tuple, dict] = {}
    rates = _Rates()
    for sent, actioned, acknowledged, hidden, sender, receiver, currency, frozen, returned in requests.iterator():
        month = sent.astimezone(dt.UTC).date().replace(day=1)
        if allowed is not None and month not in allowed:
            continue
        to = "?" if hidden and acknowledged is None else labels[receiver]
        key = f"{labels[sender]}>{to}"[:KEY_LENGTH]
        row = groups.setdefault(
            (month, key, sender, receiver),
            {"count": 0, "answered": 0, "hours": [], "frozen": Decimal(0), "returned": Decimal(0)},
        )
        row["count"] += 1
        if actioned is not None:
            row["answered"] += 1
            row["hours"].append(round((actioned - sent).total_seconds() / 3600, 1))
        if currency:
            row["frozen"] += rates.usd(frozen, currency, month)
            row["returned"] += rates.usd(returned, currency, month)
    for (month, key, sender, receiver), row in groups.items():
        yield (
            month, str(Dimension.REQUEST), key, "", sender, receiver, row["count"], 0, Decimal(0), row["answered"],
            sorted(row["hours"]), row["frozen"], row["returned"], now,
        )  # fmt: skip


class _Rates:
    """USD at the month's rate (``lintas.cases.services.usd_amount``), each currency and month read once; an amount
    without a rate counts as 0, as a loss without one is left out of the losses in USD."""

    def __init__(self):
        self.cache: dict[tuple, Decimal | None] = {}

    def usd(self, amount: Decimal | None, currency: str, month: dt.date) -> Decimal:
        from lintas.cases.services import usd_amount

        if not amount:
            return Decimal(0)
        if currency == "USD":
            return amount
        if (currency, month) not in self.cache:
            self.cache[(currency, month)] = usd_amount(Decimal(1), currency, month)
        rate = self.cache[(currency, month)]
        return Decimal(0) if rate is None else (amount * rate).quantize(Decimal("0.01"))


# --- the PostgreSQL path ---------------------------------------------------------------------------------------------

_MONTH_OF_CASE = "date_trunc('month', COALESCE(c.first_incident_on, (c.created_at AT TIME ZONE 'UTC')::date))::date"
_LABEL = "COALESCE(NULLIF({a}.country, ''), {a}.short_name)"


def _insert_postgresql(wanted: list[dt.date] | None, now: dt.datetime) -> int:
    """The case, identifier and hit dimensions in one ``INSERT ... SELECT ... GROUP BY`` (the same rows as
    ``_rows_portable``: the same month, keys and sums)."""
    from lintas.cases.models import Case, CaseIdentifier, CaseLoss
    from lintas.matching.models import Hit

    table = MonthlyRollup._meta.db_table
    cases, losses, identifiers = Case._meta.db_table, CaseLoss._meta.db_table, CaseIdentifier._meta.db_table
    hits, agencies = Hit._meta.db_table, Agency._meta.db_table
    month_filter = "" if wanted is None else "WHERE month = ANY(%(months)s)"
    kinded = ", ".join(f"'{t}'" for t in KINDED_TYPES)
    columns = (
        "month, dimension, key, crime_type, agency_id, partner_agency_id, count, victims, loss_usd, answered, "
        "turnaround_hours, frozen_usd, returned_usd, refreshed_at"
    )
    rest = "0, '[]'::jsonb, 0, 0, %(now)s"
    sql = f"""
        WITH c AS MATERIALIZED (
            SELECT * FROM (
                SELECT c.id, c.owner_agency_id AS agency_id, c.crime_type, c.victim_count, c.countries,
                       c.modus_operandi, {_MONTH_OF_CASE} AS month, COALESCE(l.usd, 0) AS usd
                FROM {cases} c
                LEFT JOIN (SELECT case_id, SUM(usd_amount) AS usd FROM {losses} GROUP BY case_id) l ON l.case_id = c.id
            ) inner_cases {month_filter}
        ),
        h AS (
            SELECT date_trunc('month', h.created_at AT TIME ZONE 'UTC')::date AS month,
                   h.left_agency_id, h.right_agency_id,
                   CASE WHEN lc.hide_owner_in_hits THEN '?' ELSE left({_LABEL.format(a="la")}, 40) END AS l,
                   CASE WHEN rc.hide_owner_in_hits THEN '?' ELSE left({_LABEL.format(a="ra")}, 40) END AS r
            FROM {hits} h
            JOIN {cases} lc ON lc.id = h.left_case_id JOIN {cases} rc ON rc.id = h.right_case_id
            JOIN {agencies} la ON la.id = h.left_agency_id JOIN {agencies} ra ON ra.id = h.right_agency_id
            WHERE left({_LABEL.format(a="la")}, 40) <> left({_LABEL.format(a="ra")}, 40)
        )
        INSERT INTO {table} ({columns})
        SELECT month, 'cases', '', crime_type, agency_id, NULL::bigint, count(*), sum(victim_count), sum(usd), {rest}
        FROM c GROUP BY month, crime_type, agency_id
        UNION ALL
        SELECT month, 'country', x.country, crime_type, agency_id, NULL::bigint, count(*), sum(victim_count),
               sum(usd), {rest}
        FROM c CROSS JOIN LATERAL (
            SELECT DISTINCT left(upper(btrim(e #>> '{{}}')), {KEY_LENGTH}) AS country
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(c.countries) = 'array' THEN c.countries ELSE '[]' END) e
            WHERE jsonb_typeof(e) = 'string'
        ) x
        WHERE x.country <> ''
        GROUP BY month, x.country, crime_type, agency_id
        UNION ALL
        SELECT month, 'modus', x.tag, crime_type, agency_id, NULL::bigint, count(*), 0, 0, {rest}
        FROM c CROSS JOIN LATERAL (
            SELECT DISTINCT left(lower(btrim(e #>> '{{}}')), {KEY_LENGTH}) AS tag
            FROM jsonb_array_elements(
                CASE WHEN jsonb_typeof(c.modus_operandi) = 'array' THEN c.modus_operandi ELSE '[]' END
            ) e
            WHERE jsonb_typeof(e) = 'string'
        ) x
        WHERE x.tag <> ''
        GROUP BY month, x.tag, crime_type, agency_id
        UNION ALL
        SELECT c.month, 'identifier', k.kind, c.crime_type, c.agency_id, NULL::bigint, count(*), 0, 0, {rest}
        FROM (
            SELECT DISTINCT i.case_id, left(CASE WHEN i.type IN ({kinded}) AND strpos(i.value, ':') > 1
                                        THEN i.type || ':' || split_part(i.value, ':', 1) ELSE i.type END,
                                        {KEY_LENGTH}) AS kind
            FROM {identifiers} i
        ) k JOIN c ON c.id = k.case_id
        GROUP BY c.month, k.kind, c.crime_type, c.agency_id
        UNION ALL
        SELECT month, 'hit',
               CASE WHEN l COLLATE "C" <= r COLLATE "C" THEN l || '|' || r ELSE r || '|' || l END,
               '', left_agency_id, right_agency_id, count(*), 0, 0, {rest}
        FROM h {month_filter}
        GROUP BY month, 3, left_agency_id, right_agency_id
    """  # noqa: S608 - table names and constants of this module; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now, "months": wanted})
        return cursor.rowcount
