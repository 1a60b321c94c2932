"""Insights API: the trends as JSON, with the page's filters and its suppression rule.

Reads go through ``lintas.insights.selectors.trends``: the caller's own agency's figures through
``MonthlyRollup.objects.visible_to``, community-wide sums only where they pass the rule (null and ``suppressed``
otherwise). Every call is audited (``insights.trends_viewed``).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema

from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.insights.export import table_json
from lintas.insights.forms import TrendsFilterForm
from lintas.insights.selectors import trends

__all__ = ["router"]

router = Router()

Figure = int | float | str | None


class TrendsQuery(Schema):
    start: str = Field("", description="First month, YYYY-MM (default: 11 months before this one).", max_length=7)
    end: str = Field("", description="Last month, YYYY-MM (default: this month).", max_length=7)
    crime_type: str = Field("", description="One crime type (see the cases API), or empty for all.", max_length=32)
    country: str = Field("", description="ISO 3166 alpha-2 code of a country the cases involve.", max_length=2)


class RowOut(Schema):
    key: str = Field(..., description="Crime type, YYYY-MM, country, tag, identifier kind or country pair.")
    label: str
    yours: dict[str, Figure] = Field(..., description="Your agency's figures, by measure: always given.")
    community: dict[str, Figure] = Field(
        ..., description="Community-wide figures by measure; every value null when `suppressed`."
    )
    suppressed: bool = Field(..., description="The community figures are withheld (too few cases or agencies).")
    growth_percent: float | None = Field(None, description="Community growth against the previous period.")


class TableOut(Schema):
    name: str
    title: str
    note: str
    measures: list[str] = Field(
        ..., description="count (cases, hits or requests), victims, loss_usd, answered, median_turnaround_hours ..."
    )
    rows: list[RowOut]
    total: RowOut | None = Field(None, description="The table's total, when it has one.")


class RuleOut(Schema):
    min_cases: int
    min_agencies: int


class TrendsOut(Schema):
    filters: dict[str, str]
    rule: RuleOut = Field(..., description="A community figure needs this many cases from this many agencies.")
    refreshed_at: dt.datetime | None = Field(None, description="When the roll-ups were last rebuilt.")
    tables: list[TableOut]


@router.get(
    "/trends",
    response=TrendsOut,
    summary="Cyber-financial crime trends (audited)",
    description=(
        "Cases, victims and losses in USD by crime type, month and country; emerging modus operandi; identifier "
        "kinds on the rise; hits across borders; requests by country pair (sent, answered, median turnaround, "
        "amounts frozen and returned). Each row gives your agency's figures and the community's: a community figure "
        "counting fewer than `rule.min_cases` cases (besides your agency's) or from fewer than `rule.min_agencies` "
        "agencies is null with `suppressed: true`, and so is any figure a total would give away. Figures come from "
        "monthly roll-ups (`refreshed_at`)."
    ),
)
def get_trends(request, filters: Query[TrendsQuery]):
    form = TrendsFilterForm(filters.dict())
    if not form.is_valid():
        raise ValidationError(
            {name: [e["message"] for e in errors] for name, errors in form.errors.get_json_data().items()}
        )
    data = trends(request.user, form.cleaned_data["filters"])
    record_event(Action.TRENDS_VIEWED, actor=request.user, details={"filters": data.filters.as_params(), "api": True})
    return {
        "filters": data.filters.as_params(),
        "rule": {"min_cases": data.rule.min_cases, "min_agencies": data.rule.min_agencies},
        "refreshed_at": data.refreshed_at,
        "tables": [table_json(table) for table in data.tables.values()],
    }
