"""Field checks derived from the model columns, shared by every form, API endpoint, bulk ingest and import.

A value is checked against the column it will be written to: a decimal against the field's ``max_digits`` and
``decimal_places``, an integer against the field's range (a ``PositiveIntegerField`` holds 0..2^31-1 on PostgreSQL),
text against ``max_length``, NUL bytes (PostgreSQL refuses them) and lone surrogates (no encoding writes them). The
limits are read from ``Model._meta`` here, never copied into a form or schema, so a new field cannot forget them.

Each ``clean_*`` helper takes the model, the field name, the value and an ``errors`` dict (name -> messages); a bad
value adds a message there and returns ``None`` (or ``""``), so one call collects every problem of an object.
:func:`check_instance` applies the same column checks to a model instance: it runs before every save of a Lintas
model (``lintas.core.apps``), a backstop for writes that forgot a helper. Writes without ``save()`` (``bulk_create``,
``update``, COPY) rely on the helpers.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from django.utils.translation import gettext as _

__all__ = [
    "EARLIEST_DATE",
    "TEXT_FIELD_LIMIT",
    "add_error",
    "bad_text",
    "check_instance",
    "clean_currency",
    "clean_date",
    "clean_datetime",
    "clean_decimal",
    "clean_integer",
    "clean_text",
    "countries",
    "currencies",
    "integer_range",
    "raise_errors",
]

# Text columns without a max_length (TextField) still take at most this many characters from any input.
TEXT_FIELD_LIMIT = 100_000
# No case, loss, transfer or identifier in Lintas predates this: an earlier date is a typing error.
EARLIEST_DATE = dt.date(1970, 1, 1)
_INT64 = (-(2**63), 2**63 - 1)


def add_error(errors: dict, name: str, message) -> None:
    errors.setdefault(name, []).append(str(message))


def raise_errors(errors: dict) -> None:
    """Raise one ``ValidationError`` with every problem by field, if there is any."""
    if errors:
        raise ValidationError({name: list(messages) for name, messages in errors.items()})


def _code_list(name: str) -> frozenset[str]:
    text = (Path(__file__).parent / "data" / name).read_text(encoding="ascii")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@functools.cache
def currencies() -> frozenset[str]:
    """ISO 4217 alphabetic codes in use (a checked-in list, compared with pycountry's in the tests)."""
    return _code_list("iso4217.txt")


@functools.cache
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, and XK (a checked-in list, compared with pycountry's in the tests)."""
    return _code_list("iso3166.txt")


def _field(model, name: str) -> models.Field:
    return model._meta.get_field(name)


def bad_text(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (a NUL byte, a lone surrogate), or None when it can."""
    if "\x00" in value:
        return _("Text cannot contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("Text cannot contain lone surrogate characters (invalid Unicode).")
    return None


def _text_limit(field: models.Field) -> int:
    return field.max_length or TEXT_FIELD_LIMIT


def clean_text(model, name: str, value, errors: dict, *, required: bool = False, key: str | None = None) -> str:
    """``value`` as text for ``model.name``: stripped, a string (not a number, list or object), within the column."""
    key = key or name
    if value is None:
        value = ""
    if not isinstance(value, str):
        add_error(errors, key, _("Expected text."))
        return ""
    value = value.strip()
    if required and not value:
        add_error(errors, key, _("This field is required."))
        return value
    limit = _text_limit(_field(model, name))
    if len(value) > limit:
        add_error(errors, key, _("At most %(n)d characters.") % {"n": limit})
        return ""
    problem = bad_text(value)
    if problem:
        add_error(errors, key, problem)
        return ""
    return value


@functools.cache
def _decimal_bounds(field: models.DecimalField) -> tuple[Decimal, Decimal]:
    """The quantum (``0.01``) and the first value too large (``10**16`` for 18 digits with 2 decimals)."""
    places = field.decimal_places
    return Decimal(1).scaleb(-places), Decimal(10) ** (field.max_digits - places)


def _decimal_message(field: models.DecimalField) -> str:
    bound = _decimal_bounds(field)[1]
    return _("A number below %(bound)s with at most %(places)d decimals.") % {
        "bound": f"{bound:,.0f}",
        "places": field.decimal_places,
    }


def clean_decimal(
    model,
    name: str,
    value,
    errors: dict,
    *,
    required: bool = True,
    minimum: Decimal | None = Decimal(0),
    positive: bool = False,
    round_places: bool = False,
    key: str | None = None,
) -> Decimal | None:
    """``value`` as a Decimal that fits ``model.name``: finite, within its digits and decimal places, not below
    ``minimum`` (0: amounts are never negative) and above 0 when ``positive``. ``round_places`` rounds extra decimals
    (exchange rates) instead of refusing them."""
    key = key or name
    field = _field(model, name)
    if value is None or value == "":
        if required:
            add_error(errors, key, _("This field is required."))
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        add_error(errors, key, _("Expected a number."))
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (ArithmeticError, ValueError):
        add_error(errors, key, _("Expected a number."))
        return None
    quantum, bound = _decimal_bounds(field)
    if not number.is_finite() or number.copy_abs() >= bound:
        add_error(errors, key, _decimal_message(field))
        return None
    try:
        rounded = number.quantize(quantum)
    except ArithmeticError:
        add_error(errors, key, _decimal_message(field))
        return None
    if rounded != number and not round_places:
        add_error(errors, key, _decimal_message(field))
        return None
    if rounded.copy_abs() >= bound:
        add_error(errors, key, _decimal_message(field))
        return None
    if positive and rounded <= 0:
        add_error(errors, key, _("Must be more than 0."))
        return None
    if minimum is not None and rounded < minimum:
        add_error(errors, key, _("Must be at least %(n)s.") % {"n": minimum})
        return None
    return rounded


@functools.cache
def integer_range(field: models.Field) -> tuple[int, int]:
    """The values an integer column holds on every supported database (PostgreSQL's ranges; SQLite's are wider)."""
    low, high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type(), _INT64)
    return low, high


def _as_int(value) -> int | None:
    """``value`` as an int when it is a whole number (not a bool, not text with anything but digits), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.lstrip("-+").isdigit() and len(text) <= 20 else None
    if isinstance(value, float | Decimal):
        try:
            return int(value) if value == value and abs(value) < 2**63 and value == int(value) else None
        except (ArithmeticError, ValueError):
            return None
    return None


def clean_integer(
    model,
    name: str,
    value,
    errors: dict,
    *,
    required: bool = True,
    minimum: int | None = None,
    maximum: int | None = None,
    key: str | None = None,
) -> int | None:
    """``value`` as an int within the column of ``model.name`` and within ``minimum``..``maximum`` when given."""
    if value is None or value == "":
        if required:
            add_error(errors, key or name, _("This field is required."))
        return None
    low, high = integer_range(_field(model, name))
    low = low if minimum is None else max(low, minimum)
    high = high if maximum is None else min(high, maximum)
    number = _as_int(value)
    if number is None or not low <= number <= high:
        add_error(errors, key or name, _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        return None
    return number


def clean_currency(value, errors: dict, *, key: str = "currency", required: bool = True) -> str:
    """An ISO 4217 alphabetic code in use (upper-cased), or "" with an error."""
    if value is None or value == "":
        if required:
            add_error(errors, key, _("An ISO 4217 currency, e.g. USD."))
        return ""
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in currencies():
        add_error(errors, key, _("Not an ISO 4217 currency code: %(code)s") % {"code": str(value)[:12]})
        return ""
    return code


def clean_date(
    value, errors: dict, key: str, *, earliest: dt.date = EARLIEST_DATE, latest: dt.date | None = None
) -> dt.date | None:
    """A date (``YYYY-MM-DD`` or a ``date``) from ``earliest`` to ``latest`` (by default: tomorrow, as an event cannot
    be later than today in any time zone)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            add_error(errors, key, _("Not a date (YYYY-MM-DD): %(value)s") % {"value": str(value)[:40]})
            return None
    latest = latest or timezone.now().date() + dt.timedelta(days=1)
    if not earliest <= value <= latest:
        add_error(
            errors,
            key,
            _("A date from %(earliest)s to %(latest)s.") % {"earliest": earliest.isoformat(), "latest": latest},
        )
        return None
    return value


def clean_datetime(
    value, errors: dict, key: str, *, earliest: dt.datetime | None = None, latest: dt.datetime | None = None
) -> dt.datetime | None:
    """An aware datetime (ISO 8601) within ``earliest``..``latest``. A time without a zone is read in the current
    time zone (the user's, as the forms do), never compared naive with aware."""
    if value is None or value == "":
        return None
    if not isinstance(value, dt.datetime):
        try:
            value = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            add_error(errors, key, _("Not a date and time (YYYY-MM-DDTHH:MM+00:00): %(value)s") % {"value": value})
            return None
    if timezone.is_naive(value):
        try:
            value = timezone.make_aware(value)
        except (ValueError, OverflowError):
            add_error(errors, key, _("Not a valid time in your time zone."))
            return None
    earliest = earliest or dt.datetime.combine(EARLIEST_DATE, dt.time(), tzinfo=dt.UTC)
    latest = latest or timezone.now() + dt.timedelta(days=1)
    if not earliest <= value <= latest:
        add_error(
            errors,
            key,
            _("A time from %(earliest)s to %(latest)s.")
            % {"earliest": f"{earliest:%Y-%m-%d %H:%M}", "latest": f"{latest:%Y-%m-%d %H:%M}"},
        )
        return None
    return value


def check_instance(instance: models.Model) -> None:
    """Raise ``ValidationError`` when a field value of ``instance`` does not fit its column: text too long or holding
    NUL or lone surrogates, a decimal beyond its digits, an integer beyond its range. Run before every save."""
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        if value is None or field.primary_key:
            continue
        if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
            if len(value) > _text_limit(field):
                add_error(errors, field.name, _("At most %(n)d characters.") % {"n": _text_limit(field)})
            problem = bad_text(value)
            if problem:
                add_error(errors, field.name, problem)
        elif isinstance(field, models.DecimalField) and isinstance(value, Decimal | int | float):
            try:
                number = Decimal(str(value)) if not isinstance(value, Decimal) else value
                fits = number.is_finite() and number.copy_abs() < _decimal_bounds(field)[1]
            except ArithmeticError:
                fits = False
            if not fits:
                add_error(errors, field.name, _decimal_message(field))
        elif (
            isinstance(field, models.IntegerField)
            and not isinstance(field, models.AutoField | models.BigAutoField)
            and isinstance(value, int)
        ):
            low, high = integer_range(field)
            if not low <= value <= high:
                add_error(
                    errors, field.name, _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
                )
    raise_errors(errors)
