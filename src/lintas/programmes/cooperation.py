"""Cooperation after the programme (issue 16 item 8): what an edition's participating agencies did together in the
12 months after it ended, next to the 12 months before it started, so the organisers can show what changed.

Counted between participating agencies only (those of its confirmed participants, and its host): assistance requests
sent from one to another (answered, median hours from sending to the answer), hits between their cases, and the
amounts frozen and returned recorded as those requests' outcomes. Only aggregates leave this module: it reads agency
ids, timestamps and amounts, never a case, a subject or an identifier.

Small counts are suppressed as the trend briefings do (decision 0042): a figure that rests on 1 to ``min_count - 1``
rows the viewer's own agency is not a party to is not shown (``None``, listed in ``suppressed``), so no single case
of another agency can be read from it. A zero is shown (it names no case); a pair the viewer's agency belongs to is
always shown in full; a total is shown when the rows in it that do not involve the viewer are none or at least
``min_count``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter, defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum

from lintas.agencies.models import Agency
from lintas.assistance.models import AssistanceRequest, Outcome
from lintas.matching.models import Hit
from lintas.programmes.models import Edition
from lintas.programmes.report import participants

__all__ = ["DEFAULT_MIN_COUNT", "PERIOD", "cooperation", "participating_agency_ids"]

PERIOD = dt.timedelta(days=365)
DEFAULT_MIN_COUNT = 5
CENT = Decimal("0.01")


def min_count() -> int:
    return max(1, int(getattr(settings, "LINTAS_PROGRAMME_COOPERATION_MIN_COUNT", DEFAULT_MIN_COUNT)))


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


def _shown(foreign: int, floor: int) -> bool:
    return foreign == 0 or foreign >= floor


def _amounts(sums: dict) -> dict[str, str]:
    """Sums by currency as strings with two decimals (SQLite's sums come back without them)."""
    return {currency: str(Decimal(amount).quantize(CENT)) for currency, amount in sorted(sums.items())}


def _cell(raw: dict, foreign: dict, floor: int) -> dict:
    """One table cell from raw figures; ``foreign`` holds the counts of rows the viewer is no party to."""
    out: dict = {"suppressed": []}

    def put(name, value, rests_on):
        if _shown(rests_on, floor):
            out[name] = value
        else:
            out[name] = None
            out["suppressed"].append(name)

    put("requests", raw["requests"], foreign["requests"])
    put("answered", raw["answered"], foreign["requests"])
    median = round(statistics.median(raw["hours"]), 1) if raw["hours"] else None
    put("median_hours", median, foreign["answered"])
    put("hits", raw["hits"], foreign["hits"])
    put("frozen", _amounts(raw["frozen"]), foreign["requests"])
    put("returned", _amounts(raw["returned"]), foreign["requests"])
    return out


def _total(cells: dict, viewer: int | None) -> tuple[dict, dict]:
    total = {"requests": 0, "answered": 0, "hours": [], "hits": 0, "frozen": Counter(), "returned": Counter()}
    foreign = {"requests": 0, "answered": 0, "hits": 0}
    for pair, raw in cells.items():
        for key in ("requests", "answered", "hits"):
            total[key] += raw[key]
            if viewer not in pair:
                foreign[key] += raw[key]
        total["hours"].extend(raw["hours"])
        total["frozen"].update(raw["frozen"])
        total["returned"].update(raw["returned"])
    return total, foreign


def cooperation(edition: Edition, viewer_agency_id: int | None, *, floor: int | None = None) -> dict:
    """The edition's cooperation figures for a viewer of ``viewer_agency_id``.

    Returns ``{"agencies": [{"code", "short_name"}], "min_count": int, "periods": {"before"|"after": {"start",
    "end"}} (aware datetimes, end excluded), "totals": {"before": cell, "after": cell}, "pairs": [{"codes": [a, b],
    "names": [a, b], "party": bool, "before": cell, "after": cell}]}`` where a cell is ``{"requests", "answered",
    "median_hours", "hits", "frozen": {currency: "amount"}, "returned": {...}, "suppressed": [names]}`` and a
    suppressed figure is ``None``. Pairs with nothing in either period are left out.
    """
    floor = floor or min_count()
    ids = participating_agency_ids(edition)
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=ids)}
    periods = _periods(edition)
    raw = {name: _raw(ids, *bounds) for name, bounds in periods.items()}
    pairs = []
    for pair in sorted(
        set(raw["before"]) | set(raw["after"]), key=lambda p: (agencies[p[0]].code, agencies[p[1]].code)
    ):
        party = viewer_agency_id in pair
        row = {
            "codes": [agencies[pk].code for pk in pair],
            "names": [agencies[pk].short_name for pk in pair],
            "party": party,
        }
        for name in periods:
            figures = raw[name].get(pair) or {
                "requests": 0, "answered": 0, "hours": [], "hits": 0, "frozen": {}, "returned": {},
            }  # fmt: skip
            foreign = {k: 0 if party else figures[k] for k in ("requests", "answered", "hits")}
            row[name] = _cell(figures, foreign, floor)
        pairs.append(row)
    totals = {}
    for name in periods:
        total, foreign = _total(raw[name], viewer_agency_id)
        totals[name] = _cell(total, foreign, floor)
    return {
        "agencies": [
            {"code": a.code, "short_name": a.short_name} for a in sorted(agencies.values(), key=lambda a: a.code)
        ],
        "min_count": floor,
        "periods": {name: {"start": since, "end": until} for name, (since, until) in periods.items()},
        "totals": totals,
        "pairs": pairs,
    }
