"""Reading the trends: the roll-ups of a period as tables of cells, the viewer's own part and the community's.

``trends(user, filters)`` is the one read the page, the briefing, the CSV and the API share. The viewer's own part
of every cell is read through ``MonthlyRollup.objects.visible_to(user)``; the community-wide sums are read across
agencies and pass ``lintas.insights.suppression`` before anything is shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case as DbCase
from django.db.models import IntegerField, Max, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from lintas.cases.choices import CrimeType
from lintas.insights.choices import Dimension
from lintas.insights.models import MonthlyRollup
from lintas.insights.suppression import Cell, Rule, protect_partitions, suppress

__all__ = ["Filters", "Table", "Trends", "add_months", "kind_label", "trends"]

MAX_MONTHS = 120
REQUEST_FIELDS = ("key", "agency_id", "partner_agency_id", "count", "answered", "turnaround_hours", "frozen_usd",
                  "returned_usd")  # fmt: skip
TOP = 15  # rows of the "emerging" and "on the rise" tables


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Filters:
    """The period (first days of its first and last month), and optionally one crime type and one country."""

    start: dt.date
    end: dt.date
    crime_type: str = ""
    country: str = ""

    @classmethod
    def default(cls, today: dt.date | None = None) -> Filters:
        """The last 12 months, this one included."""
        end = (today or dt.date.today()).replace(day=1)
        return cls(add_months(end, -11), end)

    @property
    def span(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def months(self) -> list[dt.date]:
        return [add_months(self.start, i) for i in range(self.span)]

    @property
    def previous(self) -> tuple[dt.date, dt.date]:
        """The period of the same length just before."""
        return add_months(self.start, -self.span), add_months(self.start, -1)

    def as_params(self) -> dict[str, str]:
        params = {"start": f"{self.start:%Y-%m}", "end": f"{self.end:%Y-%m}"}
        if self.crime_type:
            params["crime_type"] = self.crime_type
        if self.country:
            params["country"] = self.country
        return params


@dataclass
class Table:
    """One table of the page and of the CSV: cells with the measures it shows, and its total when published."""

    name: str
    title: str
    measures: tuple[str, ...]
    cells: list[Cell]
    total: Cell | None = None
    previous: dict[str, Cell] = field(default_factory=dict)  # key -> the cell of the previous period
    note: str = ""

    def growth(self, cell: Cell) -> float | None:
        """Community growth against the previous period in percent (None when either side is suppressed or 0)."""
        before = self.previous.get(cell.key)
        now = cell.community
        then = before.community if before is not None else None
        if now is None or then is None or then.count == 0:
            return None
        return round((now.count - then.count) * 100 / then.count, 1)

    def own_growth(self, cell: Cell) -> float | None:
        before = self.previous.get(cell.key)
        if before is None or before.own.count == 0:
            return None
        return round((cell.own.count - before.own.count) * 100 / before.own.count, 1)


@dataclass
class Trends:
    filters: Filters
    tables: dict[str, Table]
    rule: Rule
    refreshed_at: dt.datetime | None

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]


def kind_label(kind: str) -> str:
    """``crypto_wallet:tron`` -> "Crypto wallet: TRON"; ``social_handle:telegram`` -> "Social handle: Telegram"."""
    from lintas.identifiers.payment import PROVIDERS
    from lintas.identifiers.social import PLATFORMS
    from lintas.identify.forms import TYPE_LABELS

    type_, _sep, sub = kind.partition(":")
    label = str(TYPE_LABELS.get(type_, type_))
    if not sub:
        return label
    names = {p.key: p.name for p in PROVIDERS} | {k: p.name for k, p in PLATFORMS.items()}
    names |= {"tron": "TRON", "evm": "EVM", "btc": "Bitcoin", "ltc": "Litecoin", "sol": "Solana", "xrp": "XRP"}
    return f"{label}: {names.get(sub, sub)}"


def _base(filters: Filters, dimension: str, start: dt.date, end: dt.date, *, crime: bool = True):
    rows = MonthlyRollup.objects.filter(dimension=dimension, month__gte=start, month__lte=end)
    if crime and filters.crime_type:
        rows = rows.filter(crime_type=filters.crime_type)
    return rows


def _own_pairs(user, filters: Filters) -> set[tuple]:
    """The (agency, partner agency) pairs of the period's rows ``visible_to(user)``: the viewer's own rows. The rule
    of ``visible_to`` reads nothing else of a row, so one query decides for every table."""
    rows = MonthlyRollup.objects.visible_to(user).filter(month__gte=filters.previous[0], month__lte=filters.end)
    return set(rows.order_by().values_list("agency_id", "partner_agency_id").distinct())


def _grouped(rows, *fields: str, **extra) -> list[dict]:
    """The rows summed by ``fields`` and agency pair, in one query."""
    measures = {"count": Sum("count"), "victims": Sum("victims"), "loss_usd": Sum("loss_usd")}
    if extra:
        rows = rows.annotate(**extra)
    return list(rows.order_by().values(*fields, "agency_id", "partner_agency_id").annotate(**measures))


def _cells(rows, key, own_pairs: set[tuple]) -> dict[str, Cell]:
    """Rows (dicts) into cells by ``key(row)`` (None leaves a row out), split into the viewer's own and the rest."""
    cells: dict[str, Cell] = {}
    for row in rows:
        name = key(row)
        if name is None:
            continue
        name = f"{name:%Y-%m}" if isinstance(name, dt.date) else name
        cell = cells.setdefault(name, Cell(key=name))
        own = (row["agency_id"], row["partner_agency_id"]) in own_pairs
        (cell.own if own else cell.others).add(row)
    return cells


def _total(cells: list[Cell], key: str = "total") -> Cell:
    total = Cell(key=key)
    for cell in cells:
        total.own = total.own.plus(cell.own)
        total.others = total.others.plus(cell.others)
    return total


def trends(user, filters: Filters, rule: Rule | None = None) -> Trends:
    """Every table of the trends page for ``user`` and ``filters``, suppressed for this viewer."""
    rule = rule or Rule.from_settings()
    start, end = filters.start, filters.end
    before_start, before_end = filters.previous
    tables: dict[str, Table] = {}

    # Cases, victims and losses: by crime type and by month (two partitions of the period's cases), by country.
    source = Dimension.COUNTRY if filters.country else Dimension.CASES
    cases = _base(filters, source, start, end)
    cases_before = _base(filters, source, before_start, before_end)
    if filters.country:
        cases, cases_before = cases.filter(key=filters.country), cases_before.filter(key=filters.country)
    own_pairs = _own_pairs(user, filters)
    labels = dict(CrimeType.choices)
    case_rows = _grouped(cases | cases_before, "month", "crime_type")
    current = [r for r in case_rows if r["month"] >= start]
    by_type = _cells(current, lambda r: r["crime_type"], own_pairs)
    by_month = _cells(current, lambda r: r["month"], own_pairs)
    months = [Cell(key=f"{m:%Y-%m}", label=f"{m:%Y-%m}") for m in filters.months]
    months = [by_month.get(m.key, m) for m in months]
    for cell in by_type.values():
        cell.label = str(labels.get(cell.key, cell.key))
    for cell in months:
        cell.label = cell.key
    types = sorted(by_type.values(), key=lambda c: c.key)
    before = _cells([r for r in case_rows if r["month"] < start], lambda r: r["crime_type"], own_pairs)
    total, total_before = _total(types), _total(list(before.values()))
    everything = [*types, *months, *before.values(), total, total_before]
    suppress(everything, rule)
    protect_partitions([types, months, list(before.values())], rule)
    measures = ("count", "victims", "loss_usd")
    tables["by_type"] = Table("by_type", _("Cases by crime type"), measures, types, total=total, previous=before)
    tables["by_month"] = Table("by_month", _("Cases by month"), measures, months, total=total)
    tables["previous_total"] = Table(
        "previous_total", _("Previous period"), measures, [], total=total_before, note=_("The period just before.")
    )

    countries = _base(filters, Dimension.COUNTRY, start, end)
    if filters.country:
        countries = countries.filter(key=filters.country)
    by_country = sorted(_cells(_grouped(countries, "key"), lambda r: r["key"], own_pairs).values(), key=lambda c: c.key)
    suppress(by_country, rule)
    for cell in by_country:
        cell.label = cell.key
    tables["by_country"] = Table(
        "by_country", _("Cases by country involved"), measures, by_country,
        note=_("A case involving several countries counts under each of them."),
    )  # fmt: skip

    tables["modus"] = _growth_table(
        own_pairs, filters, rule, Dimension.MODUS, _("Emerging modus operandi"), free_text=True,
        note=_("Tags as officers recorded them; a tag only others used is listed only when its figure is shown."),
    )  # fmt: skip
    tables["identifiers"] = _growth_table(
        own_pairs, filters, rule, Dimension.IDENTIFIER, _("Identifier kinds on the rise"), label=kind_label,
        note=_("Cases with at least one identifier of the kind."),
    )  # fmt: skip
    type_growth = [c for c in types if tables["by_type"].growth(c) is not None]
    type_growth.sort(key=lambda c: (-tables["by_type"].growth(c), c.key))
    tables["emerging_types"] = Table(
        "emerging_types", _("Crime types growing fastest"), ("count",), type_growth[:TOP], previous=before
    )

    hits = _base(filters, Dimension.HIT, start, end, crime=False)
    hit_cells = [
        c for c in _cells(_grouped(hits, "key"), lambda r: r["key"], own_pairs).values()
        if _names(c.key, "|", filters.country)
    ]  # fmt: skip
    suppress(hit_cells, rule)
    for cell in hit_cells:
        cell.label = cell.key.replace("|", " \u2013 ")
    tables["hits"] = Table(
        "hits", _("Hits across borders"), ("count",), sorted(hit_cells, key=lambda c: c.key),
        note=_("Pairs of countries whose cases share an identifier; ? is an agency that hides its name in hits."),
    )  # fmt: skip

    requests = _base(filters, Dimension.REQUEST, start, end, crime=False)
    request_cells = [
        c
        for c in _cells(list(requests.values(*REQUEST_FIELDS)), lambda r: r["key"], own_pairs).values()
        if _names(c.key, ">", filters.country)
    ]
    suppress(request_cells, rule)
    for cell in request_cells:
        cell.label = cell.key.replace(">", " → ")
    tables["requests"] = Table(
        "requests", _("Requests by country pair"),
        ("count", "answered", "median_turnaround_hours", "frozen_usd", "returned_usd"),
        sorted(request_cells, key=lambda c: c.key),
        note=_("Sender → receiver; turnaround from sending to the first answer; amounts at the month's rate."),
    )  # fmt: skip

    # The refresh time of the period's rows (the index on dimension and month finds them).
    refreshed = MonthlyRollup.objects.filter(dimension=Dimension.CASES, month__gte=start, month__lte=end).aggregate(
        at=Max("refreshed_at")
    )["at"]
    return Trends(filters=filters, tables=tables, rule=rule, refreshed_at=refreshed)


def _names(key: str, separator: str, country: str) -> bool:
    return not country or country in key.split(separator)


def _growth_table(own_pairs, filters, rule, dimension, title, *, label=None, free_text=False, note="") -> Table:
    """Keys of ``dimension`` this period against the previous one, fastest growing first."""
    period = DbCase(When(month__gte=filters.start, then=Value(1)), default=Value(0), output_field=IntegerField())
    rows = _grouped(_base(filters, dimension, filters.previous[0], filters.end), "key", "period", period=period)
    now = _cells([r for r in rows if r["period"]], lambda r: r["key"], own_pairs)
    before = _cells([r for r in rows if not r["period"]], lambda r: r["key"], own_pairs)
    suppress([*now.values(), *before.values()], rule)
    cells = list(now.values())
    if free_text:
        # A free-text key only others used is itself information: listed only when its figure is published.
        cells = [c for c in cells if not c.suppressed or c.own.count]
        before = {k: c for k, c in before.items() if not c.suppressed or c.own.count}
    for cell in [*cells, *before.values()]:
        cell.label = label(cell.key) if label else cell.key
    table = Table(dimension, title, ("count",), [], previous=before, note=note)

    def order(cell: Cell):
        growth = table.growth(cell)
        shown = cell.community
        return (growth is None, -(growth or 0), -(shown.count if shown else 0), -cell.own.count, cell.key)

    table.cells = sorted(cells, key=order)[: TOP * 2]
    return table
