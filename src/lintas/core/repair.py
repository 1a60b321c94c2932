"""Find and repair stored numbers that do not fit their column (``lintas repair``, decision 0034).

SQLite stores whatever it is given in a ``decimal`` or ``integer`` column: before every input was checked against
its column (``lintas.core.validation``), an amount of 10^30 or ``NaN`` could be stored, and from then on every page
reading the row answered 500 (Django's SQLite converter cannot fit it in ``max_digits``). PostgreSQL refuses such
values on write, so there is nothing to repair there.

A repaired value becomes NULL where the column allows it, else 0 (or the field's default): never a made-up amount. Each
repair is one audit event in the trail of the agency that owns the row, with the value as it was stored, so the owner
can enter the real one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connections, models, transaction

from lintas.core.validation import _decimal_bounds, integer_range

__all__ = ["BadValue", "find_bad_values", "repair_bad_values"]

# How to reach the agency that owns a row of each model, for the audit trail (first path that exists).
_OWNER_PATHS = (
    "owner_agency_id",
    "agency_id",
    "case__owner_agency_id",
    "receiver_agency_id",
    "request__receiver_agency_id",
)


@dataclass(frozen=True)
class BadValue:
    model: type[models.Model]
    field: models.Field
    pk: int
    stored: str

    @property
    def replacement(self):
        if self.field.null:
            return None
        default = self.field.get_default()
        return 0 if default is None else default

    def __str__(self) -> str:
        return f"{self.model._meta.label}.{self.field.name} #{self.pk}: {self.stored!r} -> {self.replacement!r}"


def _numeric_fields(model):
    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation:
            continue
        if isinstance(field, models.DecimalField | models.IntegerField):
            yield field


def _condition(field, column: str) -> str:
    """SQLite: the column holds something other than a number its field can read."""
    if isinstance(field, models.DecimalField):
        bound = _decimal_bounds(field)[1]
        return f"(typeof({column}) NOT IN ('integer', 'real') OR abs({column}) >= {bound})"
    low, high = integer_range(field)
    return f"(typeof({column}) != 'integer' OR {column} < {low} OR {column} > {high})"


def find_bad_values(using: str = "default") -> list[BadValue]:
    """Every stored number of a Lintas model that does not fit its column (SQLite; PostgreSQL enforces columns)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model.__module__.startswith("lintas.") or model._meta.proxy or not model._meta.managed:
                continue
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            for field in _numeric_fields(model):
                column = quote(field.column)
                cursor.execute(
                    f"SELECT {pk}, CAST({column} AS TEXT) FROM {table} "  # noqa: S608 (names from the models)
                    f"WHERE {column} IS NOT NULL AND {_condition(field, column)} ORDER BY {pk}"
                )
                found.extend(BadValue(model, field, row[0], str(row[1])) for row in cursor.fetchall())
    return found


def _owner(bad: BadValue):
    from lintas.agencies.models import Agency

    for path in _OWNER_PATHS:
        try:
            agency_id = bad.model._default_manager.filter(pk=bad.pk).values_list(path, flat=True).first()
        except Exception:  # noqa: S112 (a path the model does not have: try the next)
            continue
        return Agency.objects.filter(pk=agency_id).first()
    return None


def repair_bad_values(actor_username: str, using: str = "default", dry_run: bool = False) -> list[BadValue]:
    """Replace every value :func:`find_bad_values` reports (NULL, else 0), one audit event each; idempotent."""
    from lintas.audit.choices import Action
    from lintas.audit.services import record_event

    found = find_bad_values(using)
    if dry_run or not found:
        return found
    with transaction.atomic(using=using):
        for bad in found:
            bad.model._default_manager.using(using).filter(pk=bad.pk).update(**{bad.field.attname: bad.replacement})
            record_event(
                Action.VALUE_REPAIRED,
                actor_username=actor_username,
                object_type=bad.model._meta.label_lower,
                object_id=str(bad.pk),
                agency=_owner(bad),
                details={"field": bad.field.name, "stored": bad.stored[:100], "now": str(bad.replacement)},
            )
    return found
