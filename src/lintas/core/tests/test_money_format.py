"""Issue 17 item 7: amounts read with thousands grouped and the reader's decimal mark, currency first."""

from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from lintas.core.templatetags.lintas_format import money


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "USD 39,000,000.00"),
        ("ko", "USD 39,000,000.00"),
        ("id", "USD 39.000.000,00"),
        ("vi", "USD 39.000.000,00"),
        ("ms", "USD 39,000,000.00"),
        ("th", "USD 39,000,000.00"),
    ],
)
def test_money_groups_thousands_in_the_readers_language(language, expected):
    with translation.override(language):
        assert money(Decimal("39000000"), "USD") == expected


def test_money_without_currency_none_and_nonsense():
    with translation.override("en"):
        assert money(Decimal("1234.5")) == "1,234.50"
        assert money("42300000.00", "SGD") == "SGD 42,300,000.00"
        assert money(None, "USD") == "—" and money("", "USD") == "—"
        assert money("n/a", "USD") == "USD n/a"  # shown as it is rather than failing the page


def test_templates_use_it():
    with translation.override("en"):
        html = (
            engines["django"]
            .from_string("{% load lintas_format %}{{ a|money:c }}")
            .render({"a": Decimal("39000000"), "c": "USD"})
        )
    assert html == "USD 39,000,000.00"
