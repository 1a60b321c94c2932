"""Cooperation after the programme (issue 16 item 8): what an edition's participating agencies did together in the
12 months after it ended, next to the 12 months before it started, so the organisers can show what changed.

Counted between participating agencies only (those of its confirmed participants, and its host): assistance requests
sent from one to another (answered, median hours from sending to the answer), hits between their cases, and the
amounts frozen and returned recorded as those requests' outcomes. Only aggregates leave this module: it reads agency
ids, timestamps and amounts, never a case, a subject or an identifier.

Small counts follow the trend briefings' rule, with its code (``lintas.insights.suppression``; decisions 0042, 0043 and
0044): a figure that rests on rows the viewer's own agency is not a party to is shown only when those rows pass
``Rule.from_settings()`` (at least ``TRENDS_MIN_CASES`` requests or hits, from at least ``TRENDS_MIN_AGENCIES``
agencies, both agencies of a row counting); otherwise it is ``None`` and listed in ``suppressed``, so no single case
of another agency can be read from it. A zero is shown (it names no case); a pair the viewer's agency belongs to is
always shown in full (it is the viewer's own data). The pairs the viewer is no party to add up to the total, so when
the total is shown they are protected as a partition (``protect_partitions``): a hidden pair cannot be found by
subtracting the shown ones from the total. The median answer time is not additive and is suppressed on its own.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from lintas.agencies.models import Agency
from lintas.assistance.models import AssistanceRequest, Outcome
from lintas.insights.suppression import Cell, Part, Rule, protect_partitions, suppress
from lintas.matching.models import Hit
from lintas.programmes.models import Edition
from lintas.programmes.report import participants

__all__ = ["PERIOD", "cooperation", "participating_agency_ids"]

PERIOD = dt.timedelta(days=365)
CENT = Decimal("0.01")
# The counts a figure rests on: requests (also for answered, frozen and returned), answered (the median), hits.
BASES = ("requests", "answered", "hits")


def participating_agency_ids(edition: Edition) -> set[int]:
    """The agencies of the edition's confirmed participants, and its host."""
    return set(participants(edition).values_list("agency_id", flat=True)) | {edition.host_agency_id}


def _periods(edition: Edition) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Before: the 12 months up to the first day; after: the 12 months from the day after the last (edition's zone)."""
    zone = zoneinfo.ZoneInfo(edition.time_zone)
    start = dt.datetime.combine(edition.starts_on, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(edition.ends_on + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return {"before": (start - PERIOD, start), "after": (end, end + PERIOD)}


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _raw(agencies: set[int], since: dt.datetime, until: dt.datetime) -> dict[tuple[int, int], dict]:
    """Per unordered pair of agencies: request count, answered count, the answer times (hours), hit count and the
    frozen and returned sums by currency, for the period ``[since, until)``."""
    cells: dict[tuple[int, int], dict] = defaultdict(
        lambda: {"requests": 0, "answered": 0, "hours": [], "hits": 0, "frozen": {}, "returned": {}}
    )
    requests = AssistanceRequest.objects.filter(
        sent_at__gte=since, sent_at__lt=until, sender_agency__in=agencies, receiver_agency__in=agencies
    )
    for sender, receiver, sent_at, actioned_at in requests.values_list(
        "sender_agency_id", "receiver_agency_id", "sent_at", "actioned_at"
    ):
        if sender == receiver:
            continue
        cell = cells[_pair(sender, receiver)]
        cell["requests"] += 1
        if actioned_at is not None:
            cell["answered"] += 1
            cell["hours"].append((actioned_at - sent_at).total_seconds() / 3600)
    outcomes = (
        Outcome.objects.filter(request__in=requests)
        .values("request__sender_agency_id", "request__receiver_agency_id", "currency")
        .annotate(frozen=Sum("amount_frozen"), returned=Sum("amount_returned"))
        .order_by()
    )
    for row in outcomes:
        sender, receiver = row["request__sender_agency_id"], row["request__receiver_agency_id"]
        if sender == receiver:
            continue
        cell = cells[_pair(sender, receiver)]
        for key in ("frozen", "returned"):
            amount = row[key] or Decimal(0)
            if amount:
                cell[key][row["currency"]] = cell[key].get(row["currency"], Decimal(0)) + amount
    hits = (
        Hit.objects.filter(created_at__gte=since, created_at__lt=until, left_agency__in=agencies)
        .filter(right_agency__in=agencies)
        .values("left_agency_id", "right_agency_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in hits:
        if row["left_agency_id"] != row["right_agency_id"]:
            cells[_pair(row["left_agency_id"], row["right_agency_id"])]["hits"] += row["n"]
    return cells


def _amounts(sums: dict) -> dict[str, str]:
    """Sums by currency as strings with two decimals (SQLite's sums come back without them)."""
    return {currency: str(Decimal(amount).quantize(CENT)) for currency, amount in sorted(sums.items())}


def _hidden(pairs: dict[tuple[int, int], dict], viewer: int | None, rule: Rule) -> tuple[dict, set[str]]:
    """Which figures of one period the rule hides: ``{(pair, basis)}`` and the bases of the total it hides.

    A pair is a cell whose others' part is its rows, from its two agencies, unless the viewer is one of them. The
    total's others' part is the sum of those cells; when it is shown, they form a partition of it."""
    hidden_pairs, hidden_total = {}, set()
    for basis in BASES:
        cells = [
            Cell(key=str(pair), others=Part(count=raw[basis], agencies=set(pair)))
            for pair, raw in pairs.items()
            if viewer not in pair
        ]
        suppress(cells, rule)
        total = Part()
        for cell in cells:
            total = total.plus(cell.others)
        if total.count and not rule.passes(total):
            hidden_total.add(basis)
        elif basis != "answered":  # the median is not additive: nothing to subtract it from
            protect_partitions([cells], rule)
        hidden_pairs[basis] = {cell.key for cell in cells if cell.suppressed}
    return hidden_pairs, hidden_total


def _cell(raw: dict, hidden: set[str]) -> dict:
    """One table cell from raw figures; ``hidden`` holds the bases whose figures are not shown."""
    median = round(statistics.median(raw["hours"]), 1) if raw["hours"] else None
    figures = {
        "requests": (raw["requests"], "requests"),
        "answered": (raw["answered"], "requests"),
        "median_hours": (median, "answered"),
        "hits": (raw["hits"], "hits"),
        "frozen": (_amounts(raw["frozen"]), "requests"),
        "returned": (_amounts(raw["returned"]), "requests"),
    }
    out: dict = {"suppressed": [name for name, (_value, basis) in figures.items() if basis in hidden]}
    out.update({name: None if basis in hidden else value for name, (value, basis) in figures.items()})
    return out


def _total(cells: dict) -> dict:
    total = {"requests": 0, "answered": 0, "hours": [], "hits": 0, "frozen": Counter(), "returned": Counter()}
    for raw in cells.values():
        for key in ("requests", "answered", "hits"):
            total[key] += raw[key]
        total["hours"].extend(raw["hours"])
        total["frozen"].update(raw["frozen"])
        total["returned"].update(raw["returned"])
    return total


def cooperation(edition: Edition, viewer_agency_id: int | None, *, rule: Rule | None = None) -> dict:
    """The edition's cooperation figures for a viewer of ``viewer_agency_id``.

    Returns ``{"agencies": [{"code", "short_name"}], "min_count": int, "periods": {"before"|"after": {"start",
    "end"}} (aware datetimes, end excluded), "totals": {"before": cell, "after": cell}, "pairs": [{"codes": [a, b],
    "names": [a, b], "party": bool, "before": cell, "after": cell}]}`` where a cell is ``{"requests", "answered",
    "median_hours", "hits", "frozen": {currency: "amount"}, "returned": {...}, "suppressed": [names]}`` and a
    suppressed figure is ``None``. Pairs with nothing in either period are left out.
    """
    rule = rule or Rule.from_settings()
    ids = participating_agency_ids(edition)
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=ids)}
    periods = _periods(edition)
    raw = {name: _raw(ids, *bounds) for name, bounds in periods.items()}
    hidden = {name: _hidden(raw[name], viewer_agency_id, rule) for name in periods}
    empty = {"requests": 0, "answered": 0, "hours": [], "hits": 0, "frozen": {}, "returned": {}}
    pairs = []
    for pair in sorted(
        set(raw["before"]) | set(raw["after"]), key=lambda p: (agencies[p[0]].code, agencies[p[1]].code)
    ):
        row = {
            "codes": [agencies[pk].code for pk in pair],
            "names": [agencies[pk].short_name for pk in pair],
            "party": viewer_agency_id in pair,
        }
        for name in periods:
            by_basis = hidden[name][0]
            row[name] = _cell(raw[name].get(pair) or empty, {b for b in BASES if str(pair) in by_basis[b]})
        pairs.append(row)
    totals = {name: _cell(_total(raw[name]), hidden[name][1]) for name in periods}
    return {
        "agencies": [
            {"code": a.code, "short_name": a.short_name} for a in sorted(agencies.values(), key=lambda a: a.code)
        ],
        "min_count": rule.min_cases,
        "periods": {name: {"start": since, "end": until} for name, (since, until) in periods.items()},
        "totals": totals,
        "pairs": pairs,
    }
