"""How amounts read on every page: thousands grouped and the decimal mark of the reader's language, two decimals,
the currency code first (``USD 39,000,000.00``; in Indonesian ``USD 39.000.000,00``). Issue 17 item 7."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import numberformat
from django.utils.formats import get_format

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """``amount`` (a Decimal, number or numeric text) as the reader's locale writes it, after ``currency`` if given;
    "—" for no amount. A value that is not a number is shown as it is rather than failing the page."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return f"{currency} {amount}".strip()
    # Some of Django's locales (Vietnamese, Malay) name a thousands separator but no grouping: group by three there.
    text = numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        decimal_pos=2,
        grouping=get_format("NUMBER_GROUPING") or 3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )
    return f"{currency} {text}".strip() if currency else text
