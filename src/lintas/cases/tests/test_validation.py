"""Case validation details that every path shares (form, API, bulk ingest)."""

from decimal import Decimal

import pytest

from lintas.agencies.models import Agency
from lintas.cases.validation import CaseInvalid, clean_case

pytestmark = pytest.mark.django_db


def case_with_loss(amount):
    return {"title": "T", "crime_type": "bec", "losses": [{"amount": amount, "currency": "thb"}]}


@pytest.mark.parametrize("amount", ["12", "12.5", "12.50", "12.500", "0", "1E+3", 39000000])
def test_a_loss_takes_amounts_with_up_to_two_decimals(amount):
    clean = clean_case(case_with_loss(amount), owner=Agency.objects.get(code="rtp"))
    assert clean.losses[0].amount == Decimal(str(amount)) and clean.losses[0].currency == "THB"


@pytest.mark.parametrize("amount", ["12.345", "-1", "abc", "NaN", "1E+40", "", None])
def test_a_loss_refuses_other_amounts_with_a_reason(amount):
    with pytest.raises(CaseInvalid) as refused:
        clean_case(case_with_loss(amount), owner=Agency.objects.get(code="rtp"))
    assert "losses[0]" in refused.value.errors
