"""The trends as plain rows: one per table, key and measure, for the CSV and the API alike.

A suppressed community figure is left empty (null in JSON) with ``suppressed`` set; the viewer's own figure is
always given. Nothing else about a suppressed cell is written: not whether it was suppressed for its size or to
protect another cell.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lintas.insights.selectors import Table, Trends
from lintas.insights.suppression import Cell, Part

__all__ = ["CSV_COLUMNS", "csv_text", "display_rows", "headers", "measure", "rows", "table_json"]

CSV_COLUMNS = ("table", "key", "label", "measure", "yours", "community", "suppressed")


def measure(part: Part | None, name: str):
    """One measure of a part as a JSON-ready value (amounts as strings with two decimals)."""
    if part is None:
        return None
    value = part.median_turnaround_hours if name == "median_turnaround_hours" else getattr(part, name)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _cell_rows(table: Table, cell: Cell, key: str):
    community = cell.community
    for name in table.measures:
        yield {
            "table": table.name,
            "key": key,
            "label": cell.label or cell.key,
            "measure": name,
            "yours": measure(cell.own, name),
            "community": measure(community, name),
            "suppressed": cell.suppressed,
        }


def rows(trends: Trends, names: list[str] | None = None):
    """Every row of the named tables (all by default), totals last in their table as key ``total``."""
    for name, table in trends.tables.items():
        if names and name not in names:
            continue
        for cell in table.cells:
            yield from _cell_rows(table, cell, cell.key)
        if table.total is not None:
            yield from _cell_rows(table, table.total, "total")


def _safe(value) -> str:
    """A CSV cell a spreadsheet shows as text (a leading = + - @ would run as a formula)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(trends: Trends, names: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows(trends, names):
        writer.writerow([_safe(row[c]) if c != "suppressed" else ("1" if row[c] else "0") for c in CSV_COLUMNS])
    return "\ufeff" + out.getvalue()


def _cell_json(table: Table, cell: Cell) -> dict:
    community = cell.community
    out = {
        "key": cell.key,
        "label": str(cell.label or cell.key),
        "yours": {name: measure(cell.own, name) for name in table.measures},
        "community": {name: measure(community, name) for name in table.measures},
        "suppressed": cell.suppressed,
    }
    if table.previous:
        out["growth_percent"] = table.growth(cell)
    return out


def table_json(table: Table) -> dict:
    return {
        "name": table.name,
        "title": str(table.title),
        "note": str(table.note),
        "measures": list(table.measures),
        "rows": [_cell_json(table, cell) for cell in table.cells],
        "total": _cell_json(table, table.total) if table.total is not None else None,
    }


MEASURE_LABELS = {
    "count": gettext_lazy("Cases"),
    "victims": gettext_lazy("Victims"),
    "loss_usd": gettext_lazy("Losses (USD)"),
    "answered": gettext_lazy("Answered"),
    "median_turnaround_hours": gettext_lazy("Median turnaround (hours)"),
    "frozen_usd": gettext_lazy("Frozen (USD)"),
    "returned_usd": gettext_lazy("Returned (USD)"),
}
COUNT_LABELS = {"hits": gettext_lazy("Hits"), "requests": gettext_lazy("Requests sent")}


def _shown(value) -> str:
    if value is None:
        return "\u2013"  # en dash: no figure
    if isinstance(value, str):
        return number_format(Decimal(value), decimal_pos=0, force_grouping=True)
    return number_format(value, force_grouping=True)


def headers(table: Table) -> list[str]:
    return [str(COUNT_LABELS.get(table.name, MEASURE_LABELS[m]) if m == "count" else MEASURE_LABELS[m])
            for m in table.measures]  # fmt: skip


def _total_label(table: Table) -> str:
    return _("Total") if table.cells else str(table.title)


def display_rows(table: Table, min_cases: int) -> list[dict]:
    """The table as the templates show it: per measure the viewer's figure and the community's, a suppressed one as
    "fewer than 5" (when the whole cell counts fewer) or "—" (never the number)."""
    out = []
    cells = [*table.cells, *([table.total] if table.total is not None else [])]
    for cell in cells:
        community = cell.community
        if community is None:
            hidden = _("fewer than %(n)s") % {"n": min_cases} if cell.below_minimum else "—"
        figures = [
            (_shown(measure(cell.own, m)), hidden if community is None else _shown(measure(community, m)))
            for m in table.measures
        ]
        growth = table.growth(cell) if table.previous else None
        out.append(
            {
                "label": _total_label(table) if cell is table.total else (cell.label or cell.key),
                "total": cell is table.total,
                "figures": figures,
                "suppressed": cell.suppressed,
                "growth": None if growth is None else f"{growth:+.1f} %",
                "own_growth": None
                if not table.previous or table.own_growth(cell) is None
                else f"{table.own_growth(cell):+.1f} %",
            }
        )
    return out
