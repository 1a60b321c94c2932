"""The trends filters: a period of months, a crime type, a country."""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from lintas.cases.choices import CrimeType
from lintas.insights.selectors import MAX_MONTHS, Filters

__all__ = ["TrendsFilterForm"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(value: str, field: str, errors: dict) -> dt.date | None:
    match = _MONTH.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        errors[field] = [_("A month as YYYY-MM.")]
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


class TrendsFilterForm(forms.Form):
    """Read from the query string of the page, the CSV, the briefing and the API alike; empty fields take the
    defaults (the last 12 months, every crime type and country)."""

    start = forms.CharField(label=_("From month"), required=False, max_length=7)
    end = forms.CharField(label=_("To month"), required=False, max_length=7)
    crime_type = forms.ChoiceField(
        label=_("Crime type"), required=False, choices=[("", _("All crime types")), *CrimeType.choices]
    )
    country = forms.CharField(label=_("Country"), required=False, max_length=2, help_text=_("ISO code, e.g. MY"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].widget.input_type = "month"
        self.fields["end"].widget.input_type = "month"

    def clean(self):
        data = super().clean()
        default = Filters.default()
        errors: dict[str, list] = {}
        start = _month(data.get("start"), "start", errors) if data.get("start") else default.start
        end = _month(data.get("end"), "end", errors) if data.get("end") else default.end
        country = (data.get("country") or "").strip().upper()
        if country and not re.fullmatch(r"[A-Z]{2}", country):
            errors["country"] = [_("A two-letter country code.")]
        if not errors and start > end:
            errors["end"] = [_("The period ends before it starts.")]
        if not errors and Filters(start, end).span > MAX_MONTHS:
            errors["start"] = [_("At most %(n)s months at once.") % {"n": MAX_MONTHS}]
        if errors:
            raise forms.ValidationError(errors)
        data["filters"] = Filters(start, end, data.get("crime_type") or "", country)
        return data
