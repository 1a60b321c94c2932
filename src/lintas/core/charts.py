"""Charts drawn twice from one description: by Chart.js in the browser, and as SVG by matplotlib for PDFs.

A page includes ``core/_chart.html`` with a ``Chart``: a ``<canvas>`` that ``core/charts.js`` fills (the figures travel
as a ``json_script`` block, which the Content-Security-Policy allows, being data), and the same figures as a table,
which is what screen readers, the phone-width view and the browser tests read. A PDF includes ``core/_chart_pdf.html``:
the SVG from ``Chart.svg`` (text kept as text, so the PDF's text layer has the labels) and the same table.

A value ``None`` is a cell that is not shown (suppressed or unknown): a gap in the chart, ``Chart.hidden_label`` in
the table. Decision 0039.
"""

from __future__ import annotations

import base64
import io
import threading
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

__all__ = ["KINDS", "Chart", "Series"]

KINDS = ("bar", "hbar", "line")
# Colour-blind-safe palette (Okabe-Ito), in the order series use it; the same in charts.js.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

_matplotlib_lock = threading.Lock()  # pyplot's state is global; one figure at a time per process


@dataclass
class Series:
    name: str
    values: list[float | int | None]


@dataclass
class Chart:
    """One chart: ``key`` is unique on its page (it becomes the element id), ``labels`` the categories or months."""

    key: str
    title: str
    kind: str
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    unit: str = ""
    hidden_label: str = field(default_factory=lambda: str(_("not shown")))

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.labels):
                count = len(series.values)
                raise ValueError(f"series {series.name!r} has {count} values for {len(self.labels)} labels")

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def is_empty(self) -> bool:
        return not self.labels or all(v is None for s in self.series for v in s.values)

    def spec(self) -> dict:
        """What ``core/charts.js`` draws: plain JSON."""
        return {
            "kind": self.kind,
            "title": str(self.title),
            "unit": str(self.unit),
            "labels": [str(label) for label in self.labels],
            "series": [{"name": str(s.name), "values": s.values} for s in self.series],
            "palette": PALETTE,
        }

    def rows(self) -> list[tuple[str, list[str]]]:
        """The table under the chart: one row per label, one formatted cell per series."""
        return [
            (
                str(label),
                [
                    self.hidden_label if s.values[i] is None else number_format(s.values[i], force_grouping=True)
                    for s in self.series
                ],
            )
            for i, label in enumerate(self.labels)
        ]

    @cached_property
    def svg(self) -> str:
        """The chart as an SVG document (for PDFs). Text stays text; no external references."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure

        width = 6.8
        height = max(2.4, 0.28 * len(self.labels) + 1.0) if self.kind == "hbar" else 2.8
        with (
            _matplotlib_lock,
            matplotlib.rc_context(
                {
                    "svg.fonttype": "none",
                    "font.family": ["DejaVu Sans", "NanumGothic", "Loma", "sans-serif"],
                    "font.size": 8,
                    "axes.spines.top": False,
                    "axes.spines.right": False,
                    "svg.hashsalt": "lintas",
                }
            ),
        ):
            figure = Figure(figsize=(width, height))
            axes = figure.add_subplot()
            self._draw(axes)
            if self.unit:
                (axes.set_xlabel if self.kind == "hbar" else axes.set_ylabel)(str(self.unit))
            if len(self.series) > 1:
                axes.legend(frameon=False, fontsize=7)
            figure.tight_layout()
            out = io.StringIO()
            figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        return out.getvalue()

    @property
    def svg_data_uri(self) -> str:
        """The SVG as a ``data:`` URI for an ``<img>`` in a PDF (WeasyPrint draws it with its SVG renderer)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode("ascii")

    def _draw(self, axes) -> None:
        positions = list(range(len(self.labels)))
        labels = [str(label) for label in self.labels]
        count = max(len(self.series), 1)
        if self.kind == "line":
            for i, s in enumerate(self.series):
                values = [float("nan") if v is None else v for v in s.values]
                axes.plot(positions, values, marker="o", markersize=2.5, color=PALETTE[i % len(PALETTE)], label=s.name)
            axes.set_xticks(positions, labels, rotation=45 if len(labels) > 6 else 0, ha="right")
            return
        band = 0.8 / count
        for i, s in enumerate(self.series):
            offsets = [p - 0.4 + band * (i + 0.5) for p in positions]
            values = [0 if v is None else v for v in s.values]
            colour = PALETTE[i % len(PALETTE)]
            if self.kind == "hbar":
                axes.barh(offsets, values, height=band, color=colour, label=s.name)
            else:
                axes.bar(offsets, values, width=band, color=colour, label=s.name)
        if self.kind == "hbar":
            axes.set_yticks(positions, labels)
            axes.invert_yaxis()
        else:
            axes.set_xticks(positions, labels, rotation=45 if len(labels) > 6 else 0, ha="right")
