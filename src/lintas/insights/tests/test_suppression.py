"""The suppression rule: primary (too few cases or agencies besides the viewer's), complementary (no total gives a
cell away), and a property test that no suppressed figure can be recovered from the CSV by any linear combination."""

import csv
import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lintas.agencies.models import Agency
from lintas.insights.export import csv_text
from lintas.insights.models import MonthlyRollup
from lintas.insights.selectors import Filters, trends
from lintas.insights.suppression import Cell, Rule, protect_partitions, suppress

RULE = Rule(5, 2)
ME, A, B, C = 1, 2, 3, 4


def _cell(key, own=(), others=()):
    """``own``/``others``: (agency, count) pairs."""
    cell = Cell(key=key)
    for agency, count in own:
        cell.own.add({"agency_id": agency, "count": count})
    for agency, count in others:
        cell.others.add({"agency_id": agency, "count": count})
    return cell


@pytest.mark.parametrize(
    ("own", "others", "suppressed"),
    [
        ((), ((A, 5), (B, 1)), False),  # 6 cases from 2 agencies: shown
        ((), ((A, 3), (B, 1)), True),  # 4 cases: fewer than 5
        ((), ((A, 40),), True),  # 40 cases of one agency: one agency's figure
        (((ME, 10),), ((A, 2), (B, 2)), True),  # 14 in all, but only 4 besides mine: I could subtract
        (((ME, 10),), ((A, 30),), True),  # 40 in all, 2 agencies, but the rest is one agency's: I could subtract
        (((ME, 1),), ((A, 3), (B, 2)), False),  # the rest passes by itself
        (((ME, 7),), (), True),  # only mine: shown in "yours", not as a community figure
        ((), (), False),  # nothing: 0 for everyone
    ],
)
def test_primary_rule(own, others, suppressed):
    cell = _cell("x", own, others)
    suppress([cell], RULE)
    assert cell.suppressed is suppressed
    assert (cell.community is None) is suppressed


def test_pair_rows_count_both_agencies():
    cell = Cell(key="SG>MY")
    cell.others.add({"agency_id": A, "partner_agency_id": B, "count": 5})
    suppress([cell], RULE)
    assert not cell.suppressed  # five requests between two agencies


def test_one_suppressed_cell_in_a_partition_takes_the_smallest_other_with_it():
    cells = [_cell("a", others=((A, 2),)), _cell("b", others=((A, 9), (B, 9))), _cell("c", others=((A, 6), (C, 1)))]
    suppress(cells, RULE)
    protect_partitions([cells], RULE)
    assert [c.suppressed for c in cells] == [True, False, True]
    assert cells[2].secondary and not cells[0].secondary


def test_complementary_cells_are_added_until_the_hidden_ones_together_pass():
    cells = [_cell("a", others=((A, 1),)), _cell("b", others=((A, 1),)), _cell("c", others=((A, 5), (B, 5)))]
    suppress(cells, RULE)
    protect_partitions([cells], RULE)
    assert all(c.suppressed for c in cells)  # a+b = 2 cases of one agency: c must go too


def test_cells_only_the_viewer_has_need_no_complement():
    cells = [_cell("a", own=((ME, 3),)), _cell("b", others=((A, 9), (B, 9)))]
    suppress(cells, RULE)
    protect_partitions([cells], RULE)
    assert [c.suppressed for c in cells] == [True, False]  # a is the viewer's own figure: nothing to protect


# --- the property: nothing suppressed is recoverable from the CSV ------------------------------------------------

AGENCIES = ["spf", "rmp", "knpa", "rtp"]
TYPES = ["bec", "job_scam", "romance_fraud"]
MONTHS = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
FILTERS = Filters(MONTHS[0], MONTHS[-1])


def _rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix]
    rank, columns = 0, len(rows[0]) if rows else 0
    for col in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _determined(unknowns: list[str], equations: list[dict[str, int]]) -> set[str]:
    """The unknowns the linear system fixes: removing such a column lowers the rank."""
    if not unknowns or not equations:
        return set()
    matrix = [[Fraction(eq.get(u, 0)) for u in unknowns] for eq in equations]
    full = _rank(matrix)
    return {
        u for i, u in enumerate(unknowns)
        if _rank([[v for j, v in enumerate(row) if j != i] for row in matrix] or [[]]) < full
    }  # fmt: skip


@pytest.fixture
def viewers(make_user):
    return {code: make_user(code, username=f"viewer.{code}") for code in AGENCIES}


rows_strategy = st.lists(
    st.tuples(st.sampled_from(MONTHS), st.sampled_from(TYPES), st.sampled_from(AGENCIES), st.integers(1, 7)),
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, viewer=st.sampled_from(AGENCIES), min_cases=st.integers(2, 6))
def test_no_suppressed_figure_can_be_recovered_from_the_csv(viewers, rows, viewer, min_cases):
    MonthlyRollup.objects.all().delete()
    ids = dict(Agency.objects.filter(code__in=AGENCIES).values_list("code", "pk"))
    truth: dict[tuple, int] = {}
    for month, crime, agency, count in rows:
        truth[(month, crime, agency)] = truth.get((month, crime, agency), 0) + count
    MonthlyRollup.objects.bulk_create(
        MonthlyRollup(month=m, dimension="cases", crime_type=t, agency_id=ids[a], count=n, victims=2 * n,
                      loss_usd=Decimal(n) * 10, refreshed_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
        for (m, t, a), n in truth.items()
    )  # fmt: skip
    with override_settings(TRENDS_MIN_CASES=min_cases, TRENDS_MIN_AGENCIES=2):
        data = trends(viewers[viewer], FILTERS)
        text = csv_text(data, ["by_type", "by_month"])
    table = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))

    def others(keys) -> tuple[int, set]:
        found = [(n, a) for (m, t, a), n in truth.items() if (m, t) in keys and a != viewer]
        return sum(n for n, _ in found), {a for _, a in found}

    cell_keys = {("by_type", t): {(m, t) for m in MONTHS} for t in TYPES}
    cell_keys |= {("by_month", f"{m:%Y-%m}"): {(m, t) for t in TYPES} for m in MONTHS}
    everything = {(m, t) for m in MONTHS for t in TYPES}
    for measure in ("count", "victims", "loss_usd"):
        lines = [r for r in table if r["measure"] == measure]
        unknowns, equations = [], []
        for name in ("by_type", "by_month"):
            equation = {}
            for r in lines:
                if r["table"] != name:
                    continue
                keys = everything if r["key"] == "total" else cell_keys[(name, r["key"])]
                count, agencies = others(keys)
                if r["suppressed"] == "1":
                    assert r["community"] == ""  # never the number
                    if count:  # a cell only the viewer has is known to them anyway
                        variable = "T" if r["key"] == "total" else f"{name}:{r['key']}"
                        unknowns.append(variable) if variable not in unknowns else None
                        if r["key"] != "total":
                            equation[variable] = 1
                    if r["key"] == "total" and count:
                        equation["T"] = -1
                else:
                    # Shown: the rest besides the viewer passes the rule (or the cell is empty).
                    assert (count >= min_cases and len(agencies) >= 2) or (count == 0 and float(r["community"]) == 0)
            equations.append(equation)
        recovered = _determined(unknowns, [e for e in equations if e])
        assert recovered == set(), (measure, recovered, lines)
