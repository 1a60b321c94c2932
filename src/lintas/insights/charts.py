"""The trends as charts (``lintas.core.charts``): the community figure (None where suppressed) beside the viewer's
own agency's, for the page and the PDF alike."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lintas.insights.export import measure
from lintas.insights.selectors import Table, Trends

__all__ = ["page_charts"]


def _number(value):
    if value is None:
        return None
    return float(value) if isinstance(value, str) else value


def _chart(table: Table, name: str, title: str, kind: str, unit: str = "", limit: int | None = None):
    from lintas.core.charts import Chart, Series

    cells = table.cells[:limit] if limit else table.cells
    return Chart(
        key=f"{table.name}-{name}",
        title=title,
        kind=kind,
        labels=[str(c.label or c.key) for c in cells],
        series=[
            Series(_("Community"), [_number(measure(c.community, name)) for c in cells]),
            Series(_("Your agency"), [_number(measure(c.own, name)) for c in cells]),
        ],
        unit=unit,
        hidden_label=_("suppressed"),
    )


def page_charts(data: Trends) -> dict:
    """Charts by name, as the templates place them."""
    t = data.tables
    return {
        "month_cases": _chart(t["by_month"], "count", _("Cases by month"), "line"),
        "month_victims": _chart(t["by_month"], "victims", _("Victims by month"), "line"),
        "month_loss": _chart(t["by_month"], "loss_usd", _("Losses by month"), "bar", unit="USD"),
        "type_cases": _chart(t["by_type"], "count", _("Cases by crime type"), "hbar"),
        "type_loss": _chart(t["by_type"], "loss_usd", _("Losses by crime type"), "hbar", unit="USD"),
        "country_cases": _chart(t["by_country"], "count", _("Cases by country involved"), "hbar"),
        "country_loss": _chart(t["by_country"], "loss_usd", _("Losses by country involved"), "hbar", unit="USD"),
        "modus": _chart(t["modus"], "count", _("Emerging modus operandi: cases this period"), "hbar", limit=15),
        "identifiers": _chart(t["identifiers"], "count", _("Identifier kinds: cases this period"), "hbar", limit=15),
        "hits": _chart(t["hits"], "count", _("Hits across borders"), "hbar"),
        "requests": _chart(t["requests"], "count", _("Requests sent by country pair"), "hbar"),
        "requests_frozen": _chart(t["requests"], "frozen_usd", _("Amounts frozen by country pair"), "hbar", "USD"),
    }
