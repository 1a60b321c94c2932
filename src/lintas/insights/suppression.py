"""The suppression rule of the trends page: community-wide figures that reveal no single case or agency.

A cell (a crime type, a month, a country pair ...) is the sum of roll-up rows. For a viewer it splits in two parts:
the rows of the viewer's own agency (``own``: data that agency sees anyway) and the rest (``others``). The viewer
reads both the own part and the community-wide sum, so they can always subtract: what matters is what the others'
part reveals. Hence the rule (decision 0043):

1. **Primary suppression.** A cell's community figure is shown only when its others' part counts at least
   ``TRENDS_MIN_CASES`` cases (hits, requests) from at least ``TRENDS_MIN_AGENCIES`` agencies. For a viewer whose
   agency is not in the cell, that is simply "at least 5 cases from at least 2 agencies"; for a viewer who is, it
   stops them from learning one other agency's figures by subtracting their own.
2. **Complementary suppression.** Cells that add up to a published total, or to the same total as another
   published partition (crime types and months both partition the period's cases), could give a suppressed cell
   away by subtraction. In every such group, the suppressed cells' others' parts taken together must pass the rule
   too: while they do not, the published cell with the smallest others' part is suppressed as well. What a viewer can
   derive by subtraction is then a sum over several cells that itself counts enough cases from enough agencies, never
   one suppressed cell (``lintas.insights.tests.test_suppression`` checks this with exact linear algebra).
3. A total is published only when it passes the rule itself.

Rows of pair dimensions (hits, requests) name two agencies; both count as agencies of the cell, and a row the
viewer's agency is either side of is the viewer's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.conf import settings

__all__ = ["Cell", "Part", "Rule", "protect_partitions", "suppress"]


@dataclass
class Part:
    """Sums of some roll-up rows, and the agencies they come from."""

    count: int = 0
    victims: int = 0
    loss_usd: Decimal = Decimal(0)
    answered: int = 0
    frozen_usd: Decimal = Decimal(0)
    returned_usd: Decimal = Decimal(0)
    turnaround_hours: list[float] = field(default_factory=list)
    agencies: set[int] = field(default_factory=set)

    def add(self, row: dict) -> None:
        """Add one row (a dict of roll-up columns, summed over months) to the part."""
        self.count += row.get("count", 0) or 0
        self.victims += row.get("victims", 0) or 0
        self.loss_usd += Decimal(row.get("loss_usd") or 0)
        self.answered += row.get("answered", 0) or 0
        self.frozen_usd += Decimal(row.get("frozen_usd") or 0)
        self.returned_usd += Decimal(row.get("returned_usd") or 0)
        self.turnaround_hours.extend(row.get("turnaround_hours") or ())
        self.agencies.add(row["agency_id"])
        if row.get("partner_agency_id"):
            self.agencies.add(row["partner_agency_id"])

    def plus(self, other: Part) -> Part:
        return Part(
            count=self.count + other.count,
            victims=self.victims + other.victims,
            loss_usd=self.loss_usd + other.loss_usd,
            answered=self.answered + other.answered,
            frozen_usd=self.frozen_usd + other.frozen_usd,
            returned_usd=self.returned_usd + other.returned_usd,
            turnaround_hours=sorted(self.turnaround_hours + other.turnaround_hours),
            agencies=self.agencies | other.agencies,
        )

    @property
    def median_turnaround_hours(self) -> float | None:
        return round(median(self.turnaround_hours), 1) if self.turnaround_hours else None


@dataclass
class Cell:
    """One figure of a table: the viewer's own part, everyone else's, and whether the community sum is shown."""

    key: str
    label: str = ""
    own: Part = field(default_factory=Part)
    others: Part = field(default_factory=Part)
    suppressed: bool = False
    secondary: bool = False  # suppressed only so that a total does not give another cell away

    @property
    def community(self) -> Part | None:
        """The community-wide sum, or None when suppressed."""
        return None if self.suppressed else self.own.plus(self.others)

    @property
    def below_minimum(self) -> bool:
        """The whole cell counts fewer cases than the minimum: shown as "fewer than 5" rather than "—"."""
        return self.own.count + self.others.count < settings.TRENDS_MIN_CASES


@dataclass(frozen=True)
class Rule:
    min_cases: int
    min_agencies: int

    @classmethod
    def from_settings(cls) -> Rule:
        return cls(settings.TRENDS_MIN_CASES, settings.TRENDS_MIN_AGENCIES)

    def passes(self, part: Part) -> bool:
        return part.count >= self.min_cases and len(part.agencies) >= self.min_agencies


def suppress(cells: Iterable[Cell], rule: Rule) -> None:
    """Primary suppression: every cell whose others' part fails the rule (an empty cell is 0 for everyone)."""
    for cell in cells:
        cell.suppressed = bool(cell.own.count or cell.others.count) and not rule.passes(cell.others)


def _pool(cells: Iterable[Cell]) -> Part:
    pooled = Part()
    for cell in cells:
        pooled.count += cell.others.count
        pooled.agencies |= cell.others.agencies
    return pooled


def protect_partitions(groups: list[list[Cell]], rule: Rule) -> None:
    """Complementary suppression in groups of cells that add up to one total (published or derivable).

    A suppressed cell whose others' part is empty gives nothing away (its community figure is the viewer's own);
    the others must, pooled, pass the rule, or the published cell with the smallest others' part joins them.
    """
    for group in groups:
        hidden = [c for c in group if c.suppressed and c.others.count > 0]
        while hidden and not rule.passes(_pool(hidden)):
            candidates = [c for c in group if not c.suppressed]
            if not candidates:
                break  # the whole group is hidden: its total fails the rule too, and is not published
            smallest = min(candidates, key=lambda c: (c.others.count, c.key))
            smallest.suppressed = smallest.secondary = True
            hidden.append(smallest)
