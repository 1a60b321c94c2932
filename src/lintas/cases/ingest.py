"""Bulk ingest of cases: NDJSON rows in the shape of ``POST /api/v1/cases/``, many thousands a second.

Guarantees, the same for the API (``POST /api/v1/cases/bulk``) and the CLI (``lintas import cases``):

* every row is validated by :func:`lintas.cases.validation.clean_case`, the code the form and the API use, and every
  problem is reported with the row's line number;
* rows are written in batches that are all-or-nothing: a batch with any bad row writes none of its rows, the other
  batches are written;
* ingest is idempotent by the owner agency's ``external_reference``: a row whose case already exists is skipped and
  counted as unchanged, so running the same file twice changes nothing (a row without one is refused);
* each written batch is one transaction: references taken in one call per agency, cases, shares, losses and
  identifiers inserted in bulk (COPY on PostgreSQL, see :func:`insert_rows`), matching run set-wise over all the
  batch's identifiers, one audit event per agency, notifications after commit.

The input is streamed: one batch is held in memory (three with worker processes, which validate the next batches
while one is written: ``ingest_rows(workers=N)``, ``lintas import cases --workers N``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import io
import json
import operator
import os
import pickle
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring_ascii
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, connections, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import Case, CaseIdentifier, CaseLoss, CaseShare, ExchangeRate
from lintas.cases.services import (
    IDENTIFIER_FIELDS,
    _narrative_identifiers,
    allocate_references,
    check_case_writer,
    identifier_values,
    usd_at_rate,
)
from lintas.cases.validation import CaseInvalid, agency_ids_by_code, clean_case, remember_agency_ids
from lintas.core.db import write_rows
from lintas.core.processes import SpawnedCalls
from lintas.matching.allowance import LookupLimitReached, charged
from lintas.matching.choices import AllowanceKind
from lintas.matching.engine import NewIdentifier, plan_matches, record_matches
from lintas.matching.notify import notify_match
from lintas.matching.tokens import community_key

__all__ = [
    "MAX_LINE_BYTES",
    "IngestReport",
    "NotJson",
    "Row",
    "RowError",
    "ingest_rows",
    "insert_rows",
    "insert_tuples",
    "read_ndjson",
    "refresh_statistics",
    "storable_text",
]

MAX_LINE_BYTES = 8 * 1024 * 1024  # one case with 5,000 identifiers and a long narrative fits many times over
_CHUNK = 2000  # parameters per IN list


@dataclass(frozen=True)
class NotJson:
    """A line that could not be read as JSON (the parser's reason)."""

    reason: str


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> str:
    """``text`` as every database stores it, also in JSON: a NUL or a lone surrogate (a paired one is one character
    in Python) becomes U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text) if isinstance(text, str) else text


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str


@dataclass
class IngestReport:
    """What an ingest did. ``received = created + unchanged + rejected``; ``invalid`` rows are the bad ones among the
    rejected (the others were good rows of a refused batch). ``errors`` keeps the first ``max_errors`` problems."""

    received: int = 0
    created: int = 0
    unchanged: int = 0
    rejected: int = 0
    invalid: int = 0
    batches_written: int = 0
    batches_refused: int = 0
    identifiers: int = 0
    hits: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    max_errors: int = 1000
    insert_path: str = ""  # how the last batch was inserted: "copy", "executemany" or "bulk_create"
    # Set when the author's hourly recording allowance stopped the ingest: why, and the seconds until it starts
    # afresh (then send the same input again: what was written is skipped).
    detail: str = ""
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    @property
    def truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def add_errors(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = self.max_errors - len(self.errors)
        if room > 0:
            # Messages quote the input: what PostgreSQL's jsonb cannot hold would make the report unstorable.
            self.errors.extend(
                RowError(e.line, storable_text(e.field), storable_text(e.message)) for e in errors[:room]
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "created": self.created,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "invalid": self.invalid,
            "batches_written": self.batches_written,
            "batches_refused": self.batches_refused,
            "identifiers": self.identifiers,
            "hits": self.hits,
            "errors": [{"line": e.line, "field": e.field, "message": e.message} for e in self.errors],
            "error_count": self.error_count,
            "truncated": self.truncated,
            "detail": self.detail,
            "retry_after": self.retry_after,
        }


# --- reading -----------------------------------------------------------------------------------------------------


def _lines(source, max_bytes: int) -> Iterator[bytes | None]:
    """Lines of a binary stream (or an iterable of lines); None for a line longer than ``max_bytes``."""
    readline = getattr(source, "readline", None)
    if readline is None:
        for line in source:
            yield line if len(line) <= max_bytes else None
        return
    while True:
        line = readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the overlong line
                line = readline(1024 * 1024)
            yield None
            continue
        yield line


def read_ndjson(
    source, *, max_bytes: int = MAX_LINE_BYTES, parse: bool = True
) -> Iterator[tuple[int, dict | NotJson | bytes]]:
    """``(line number, parsed row)`` for each non-blank line of ``source`` (a binary stream such as a request or an
    open file, or an iterable of lines). A line that is not JSON gives a :class:`NotJson` with the reason.

    ``parse=False`` gives each line as it is, for :func:`ingest_rows` to parse where it validates (in its worker
    processes, when it has them)."""
    for number, line in enumerate(_lines(source, max_bytes), start=1):
        if line is None:
            yield number, NotJson(_("Line longer than %(n)d bytes.") % {"n": max_bytes})
            continue
        if number == 1 and isinstance(line, bytes) and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            continue
        if not parse:
            yield number, line
            continue
        try:
            yield number, json.loads(line)
        except (ValueError, UnicodeDecodeError) as exc:
            yield number, NotJson(str(exc))


# --- inserting ---------------------------------------------------------------------------------------------------

# Fields whose Python values the database driver adapts exactly as Django would: no per-value conversion needed.
# (Django registers SQLite adapters for dates and decimals; datetimes need its conversion to naive UTC there.)
_PLAIN = (models.AutoField, models.BigAutoField, models.BooleanField, models.CharField, models.ForeignKey)
_PLAIN += (models.IntegerField, models.TextField, models.DateField, models.DecimalField)


def _plain(field: models.Field, vendor: str) -> bool:
    if vendor == "sqlite" and isinstance(field, models.DateTimeField):
        return False
    return isinstance(field, _PLAIN)


def refresh_statistics() -> None:
    """Let PostgreSQL's planner see how big the tables have grown during a long ingest.

    Matching looks tokens up by index; with statistics from when the table was small (or none, until autovacuum
    gets to it, or ever where it is off) the planner scans the whole table instead, and every batch gets slower than
    the one before. Ingest calls this after 5,000 identifiers and each time the count doubles: a handful of
    sampling runs of a fraction of a second for a million identifiers.

    Only the columns those queries filter on are analysed: the statistics of the wide text columns (narrative,
    values as entered) took most of each run's time (a full run of both tables: 520-640 ms at 400,000 identifiers;
    these columns: 170 ms). Autovacuum still analyses every column in its own time.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, fields in _ANALYZED:
            columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)} ({columns})")


# What ingest and matching look rows up by (see refresh_statistics).
_ANALYZED = (
    (CaseIdentifier, ("token", "linked_token", "case", "owner_agency")),
    (Case, ("owner_agency", "external_reference")),
)


_sequences: dict[str, str] = {}  # table -> its id sequence (PostgreSQL)


def _take_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve ``count`` new primary keys of ``model`` (inside the caller's transaction)."""
    opts = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sequence = _sequences.get(opts.db_table)
            if sequence is None:  # looked up once: in the query it would be looked up again for every row
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [opts.db_table, opts.pk.column])
                sequence = _sequences[opts.db_table] = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [pk for (pk,) in cursor.fetchall()]
        # SQLite: move the table's AUTOINCREMENT counter past the ids taken. The UPDATE takes the write lock, so no
        # other writer can insert until this transaction ends.
        table, pk = connection.ops.quote_name(opts.db_table), connection.ops.quote_name(opts.pk.column)
        highest = f"(SELECT COALESCE(MAX({pk}), 0) FROM {table})"  # noqa: S608 - quoted model names
        cursor.execute(
            f"INSERT INTO sqlite_sequence (name, seq) SELECT %s, {highest} "  # noqa: S608
            "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
            [opts.db_table, opts.db_table],
        )
        cursor.execute(
            f"UPDATE sqlite_sequence SET seq = MAX(seq, {highest}) + %s WHERE name = %s RETURNING seq",  # noqa: S608
            [count, opts.db_table],
        )
        (last,) = cursor.fetchone()
        return list(range(last - count + 1, last + 1))


def _existing_postgresql(keys: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """PostgreSQL's fast path of ``_Ingest._existing``: the pairs as two arrays joined to the unique index, one
    index probe each (the portable OR of IN lists cost 40 ms a batch of 1,000)."""
    table = connection.ops.quote_name(Case._meta.db_table)
    agencies, references = zip(*sorted(keys), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.owner_agency_id, c.external_reference FROM {table} c "  # noqa: S608 - a quoted model name
            "JOIN unnest(%s::integer[], %s::text[]) AS k(agency, reference) "
            "ON c.owner_agency_id = k.agency AND c.external_reference = k.reference "
            "WHERE c.external_reference <> ''",
            [list(agencies), list(references)],
        )
        return set(cursor.fetchall())


def _makes_default(field: models.Field) -> bool:
    return field.has_default() and callable(field.default)


class Row:
    """A row to insert: a model's attribute names (``attname``) and values, without a model instance.

    Building a model instance costs tens of microseconds (defaults, foreign-key descriptors); a batch of bulk ingest
    builds tens of thousands of rows. ``Row.of(model, **values)`` starts from the model's field defaults, so every
    column has a value. ``pk`` reads ``id``, as the matching engine does on identifiers.
    """

    _defaults: dict[type[models.Model], tuple[dict[str, Any], list[tuple[str, Callable[[], Any]]]]] = {}

    def __init__(self, values: dict[str, Any]):
        self.__dict__ = values

    @classmethod
    def of(cls, model: type[models.Model], **values) -> Row:
        if model not in cls._defaults:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            cls._defaults[model] = (
                {
                    model._meta.pk.attname: None,
                    **{f.attname: f.get_default() for f in fields if not _makes_default(f)},
                },
                [(f.attname, f.default) for f in fields if _makes_default(f)],  # a new list or dict for each row
            )
        static, factories = cls._defaults[model]
        row = dict(static)
        for name, factory in factories:
            if name not in values:
                row[name] = factory()
        row.update(values)
        return cls(row)

    @property
    def pk(self):
        return self.id


def insert_rows(model: type[models.Model], objs: list[models.Model | Row], *, method: str | None = None) -> str:
    """Insert unsaved ``objs`` of ``model``, set their primary keys, and return how: "copy", "executemany" or
    "bulk_create".

    The one place where bulk ingest meets the database. PostgreSQL takes the rows by ``COPY ... FROM STDIN``
    ("copy"), several times faster than INSERT; SQLite by one prepared INSERT run for every row ("executemany").
    Either way the ids are reserved first in one statement (the table's sequence), and values go to the driver as
    they are wherever Django would not change them. Any other database gets ``bulk_create``. ``auto_now`` fields
    are filled in, as ``save`` would.
    """
    vendor = connection.vendor
    method = _insert_method(method)
    if not objs:
        return method
    if method == "bulk_create":
        instances = [obj if isinstance(obj, models.Model) else model(**vars(obj)) for obj in objs]
        model._default_manager.bulk_create(instances)
        for obj, instance in zip(objs, instances, strict=True):
            if obj is not instance:  # the id and the auto_now values go back to the plain row
                for f in model._meta.concrete_fields:
                    setattr(obj, f.attname, getattr(instance, f.attname))
        return method
    opts = model._meta
    fields = list(opts.concrete_fields)
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    plain = [f for f in fields if f not in stamped and _plain(f, vendor)]
    other = [f for f in fields if f not in stamped and f not in plain]
    db = connections[connection.alias]  # the connection itself: each attribute read through the proxy costs
    now = timezone.now()
    stamps = tuple(f.get_db_prep_save(now, db) for f in stamped)  # one value for every row
    get_plain = operator.attrgetter(*(f.attname for f in plain))
    if len(plain) == 1:  # attrgetter of one name gives the value, not a tuple
        get_one = get_plain
        get_plain = lambda obj: (get_one(obj),)  # noqa: E731

    def rows():
        for obj in objs:
            row = get_plain(obj) + stamps
            if other:
                row += tuple(f.get_db_prep_save(getattr(obj, f.attname), db) for f in other)
            yield row

    with transaction.atomic(savepoint=False):
        pk_name = opts.pk.attname
        for obj, pk in zip(objs, _take_ids(model, len(objs)), strict=True):
            setattr(obj, pk_name, pk)
        write_rows(model._meta.db_table, [f.column for f in (*plain, *stamped, *other)], rows(), method=method)
    for obj in objs:
        for f in stamped:
            setattr(obj, f.attname, now)
        if isinstance(obj, models.Model):
            obj._state.adding = False
            obj._state.db = connection.alias
    return method


def insert_tuples(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[tuple],
    *,
    method: str | None = None,
    ids: list[int] | None = None,
    json_text: Collection[str] = (),
) -> list[int]:
    """Insert rows given as tuples of the model's fields ``names`` (attribute names, no primary key); return their
    new ids. :func:`insert_rows` for many rows, without building an object for each; fields not named get their
    defaults, ``auto_now`` fields the time. ``ids``: taken before (by ``_take_ids``, in this transaction).
    ``json_text``: JSON fields whose values come already as JSON text (serialised in a worker process)."""
    method = _insert_method(method)
    if not rows:
        return []
    opts = model._meta
    if method == "bulk_create":
        decoded = [index for index, name in enumerate(names) if name in json_text]
        instances = []
        for row in rows:
            values = dict(zip(names, row, strict=True))
            for index in decoded:
                values[names[index]] = json.loads(row[index])
            instances.append(model(**values))
        for instance, pk in zip(instances, ids or (), strict=False):
            instance.pk = pk
        model._default_manager.bulk_create(instances)
        return [instance.pk for instance in instances]
    vendor = connection.vendor
    fields = [opts.get_field(name) for name in names]
    stamped = [f for f in opts.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    rest = [f for f in opts.concrete_fields if f not in fields and f not in stamped and not f.primary_key]
    db = connections[connection.alias]
    now = timezone.now()
    stamps = tuple(f.get_db_prep_save(now, db) for f in stamped)
    stamps += tuple(f.get_db_prep_save(f.get_default(), db) for f in rest)  # the same for every row
    convert = [(index, f) for index, f in enumerate(fields) if not _plain(f, vendor) and f.name not in json_text]
    columns = (opts.pk, *fields, *stamped, *rest)
    binary = _binary_types(columns) if method == "copy" and not json_text else None
    if binary is not None:  # binary COPY takes dates as dates: rows from workers carry them as ISO text
        convert += [
            (index, None)
            for index, f in enumerate(fields)
            if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)
        ]

    def values(ids):
        for pk, row in zip(ids, rows, strict=True):
            if convert:
                row = list(row)
                for index, f in convert:
                    value = row[index]
                    if f is not None:
                        row[index] = f.get_db_prep_save(value, db)
                    elif isinstance(value, str):
                        row[index] = dt.date.fromisoformat(value)
            yield (pk, *row, *stamps)

    with transaction.atomic(savepoint=False):
        if ids is None:
            ids = _take_ids(model, len(rows))
        elif len(ids) != len(rows):
            raise ValueError("one id for each row")
        write_rows(opts.db_table, [f.column for f in columns], values(ids), method=method, types=binary)
    return ids


# PostgreSQL types binary COPY is given values of directly (psycopg's binary dumpers take the Python values).
_BINARY = frozenset(
    {"bigint", "integer", "smallint", "varchar", "text", "boolean", "date", "timestamp with time zone", "numeric"}
)


def _binary_types(fields: Sequence[models.Field]) -> list[str] | None:
    """The PostgreSQL type name of each field, for ``COPY ... (FORMAT BINARY)``; None when one is not plain enough.

    Binary COPY spares psycopg the text format of every value and PostgreSQL parsing it back: for identifier rows,
    1.0-1.4 µs a row of the client's CPU against 2.4-3.5 µs, and about 0.5 µs less of the server's (measured on 200,000
    rows into a table with the same indexes)."""
    types = []
    for f in fields:
        db_type = f.db_type(connection) or ""
        base = db_type.split("(", 1)[0].strip()
        if base not in _BINARY or (base == "numeric" and not isinstance(f, models.DecimalField)):
            return None
        types.append(base)
    return types


def _insert_method(method: str | None) -> str:
    vendor = connection.vendor
    if method is None:
        method = {"postgresql": "copy", "sqlite": "executemany"}.get(vendor, "bulk_create")
    if method == "copy" and vendor != "postgresql":
        raise ValueError("COPY needs PostgreSQL")
    return method


# --- ingesting ---------------------------------------------------------------------------------------------------


class _Rates:
    """Monthly USD rates for the batch's currencies, read once: ``usd_amount`` without a query per loss."""

    def __init__(self, currencies: set[str]):
        self.months: dict[str, list[dt.date]] = defaultdict(list)
        self.rates: dict[str, list[Decimal]] = defaultdict(list)
        wanted = sorted(currencies - {"USD"})
        for start in range(0, len(wanted), _CHUNK):
            rows = ExchangeRate.objects.filter(currency__in=wanted[start : start + _CHUNK]).order_by("month")
            for currency, month, rate in rows.values_list("currency", "month", "usd_per_unit"):
                self.months[currency].append(month)
                self.rates[currency].append(rate)

    def usd(self, amount: Decimal, currency: str, on: dt.date | None) -> Decimal | None:
        """The same answer as :func:`lintas.cases.services.usd_amount`."""
        if currency == "USD":
            return amount
        month = (on or timezone.now().date()).replace(day=1)
        index = bisect.bisect_right(self.months.get(currency, []), month)
        if index == 0:
            return None
        return usd_at_rate(amount, self.rates[currency][index - 1])


# What a validated row becomes before it is written: plain values, cheap to pass between processes. Dates cross as
# ISO text, which both databases take for a date column as they take a date (pickling a date object cost more than
# the rest of the row's fields together).

# A case's own fields in the order the writer inserts them (CleanCase's attributes of the same names); the lists
# (JSON) leave the worker as JSON text.
_CASE_FIELDS = (
    "title", "crime_type", "external_reference", "modus_operandi", "status", "first_incident_on", "last_incident_on",
    "countries", "narrative", "victim_count", "victim_nationalities", "victim_age_bands", "distribution", "tlp",
    "handling_code", "handling_text", "source_reliability", "information_accuracy", "purpose", "legal_basis",
    "review_on", "hide_owner_in_hits",
)  # fmt: skip
_JSON_FIELDS = frozenset({"modus_operandi", "countries", "victim_nationalities", "victim_age_bands"})
_case_values = operator.attrgetter(*_CASE_FIELDS)
_JSON_AT = tuple(index for index, name in enumerate(_CASE_FIELDS) if name in _JSON_FIELDS)
_DATES_AT = tuple(_CASE_FIELDS.index(name) for name in ("first_incident_on", "last_incident_on"))
_REVIEW_AT = _CASE_FIELDS.index("review_on")
_SEEN_AT = IDENTIFIER_FIELDS.index("first_seen_on")  # and last_seen_on after it


def _json_list(items: list[str]) -> str:
    """``json.dumps`` of a list of strings, the same text at a quarter of the cost."""
    return "[" + ", ".join(map(encode_basestring_ascii, items)) + "]"


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


class _Prepared(NamedTuple):
    """A validated row as plain values: a tuple is what crosses from a worker process cheapest."""

    line: int
    agency_id: int
    fields: tuple  # _CASE_FIELDS values (lists as JSON text, dates as ISO text)
    shared_with: list[int]
    losses: list[tuple[Decimal, str, dt.date | None]]
    identifiers: list[tuple]  # IDENTIFIER_FIELDS values, one per token, as identifier_values makes them


def _prepare(line: int, data: dict, agency: Agency, key: bytes) -> _Prepared | list[RowError]:
    """Validate one row with ``clean_case`` and turn it into the values to write (no database access)."""
    try:
        clean = clean_case(data, owner=agency)
    except CaseInvalid as invalid:
        return [RowError(line, name, message) for name, messages in invalid.errors.items() for message in messages]
    fields = list(_case_values(clean))
    for index in _JSON_AT:
        fields[index] = _json_list(fields[index])
    for index in _DATES_AT:
        fields[index] = _iso(fields[index])
    fields[_REVIEW_AT] = (clean.review_on or Case.default_review_on()).isoformat()
    rows = identifier_values([*clean.identifiers, *_narrative_identifiers(clean, agency.country)], key)
    for index, values in enumerate(rows):
        first, last = values[_SEEN_AT], values[_SEEN_AT + 1]
        if first is not None or last is not None:  # most identifiers have no dates
            rows[index] = (*values[:_SEEN_AT], _iso(first), _iso(last), *values[_SEEN_AT + 2 :])
    return _Prepared(
        line,
        agency.pk,
        tuple(fields),
        clean.shared_with,
        [(loss.amount, loss.currency, loss.occurred_on) for loss in clean.losses],
        rows,
    )


@dataclass(frozen=True)
class _Owners:
    """Who a row may be recorded for: the actor's agency (API), or the row's "agency" code and a default (CLI)."""

    by_code: dict[str, Agency]
    actor_agency: Agency | None
    default: Agency | None

    def owner(self, data: dict) -> tuple[Agency | None, str]:
        """The agency a row is recorded for, or None and why not."""
        code = str(data.get("agency") or "").strip().lower()
        if self.actor_agency is not None:
            agency = self.actor_agency
            if code and code != agency.code:
                return None, _("You can only ingest cases for your own agency (%(code)s).") % {"code": agency.code}
        elif code:
            agency = self.by_code.get(code)
            if agency is None:
                return None, _("Unknown agency code: %(code)s") % {"code": code}
        else:
            agency = self.default
            if agency is None:
                return None, _('Name the agency: an "agency" field in the row or --agency.')
        if agency.is_secretariat:
            return None, _("The Secretariat coordinates; it does not hold cases.")
        return agency, ""


# A row after the checks: (line, (agency id, external reference) or None, errors, the validated row or None).
_Checked = tuple[int, "tuple[int, str] | None", list[RowError], "_Prepared | list[RowError] | None"]


def _screen(owners: _Owners, line: int, data: Any) -> tuple[Agency | None, str, dict | None, list[RowError]]:
    """Parse (a raw line) and check what every row needs before validation: an object, its agency, its reference."""
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            data = NotJson(str(exc))
    if isinstance(data, NotJson):
        return None, "", None, [RowError(line, "__all__", _("Not JSON: %(reason)s") % {"reason": data.reason})]
    if not isinstance(data, dict):
        return None, "", None, [RowError(line, "__all__", _("Expected a JSON object."))]
    errors = []
    agency, why = owners.owner(data)
    if agency is None:
        errors.append(RowError(line, "agency", why))
    reference = str(data.get("external_reference") or "").strip()
    if not reference:
        message = _("Bulk ingest needs the agency's own reference: it is what makes a re-run change nothing.")
        errors.append(RowError(line, "external_reference", message))
    return agency, reference, data, errors


def _validate(screened, key: bytes, skip: set[int] = frozenset()) -> list[_Checked]:
    """Validate screened rows (``(line, _screen(...))``) but those on the lines in ``skip``."""
    checked: list[_Checked] = []
    for line, (agency, reference, data, errors) in screened:
        if errors:
            checked.append((line, None, errors, None))
        else:
            checked.append(
                (line, (agency.pk, reference), [], None if line in skip else _prepare(line, data, agency, key))
            )
    return checked


_worker_state: dict[str, Any] = {}


def _start_worker(owners: _Owners, key: bytes) -> None:
    _worker_state.update(owners=owners, key=key)
    gc.freeze()  # see _Ingest: the collector skips what the worker was forked with


def _start_spawned_worker(owners: _Owners, key: bytes, agency_ids: dict[str, int], language: str | None) -> None:
    """A worker started afresh for a job: what a forked one would have inherited comes as arguments."""
    os.nice(10)  # a background import yields the cores to web requests
    remember_agency_ids(agency_ids)  # workers never query the database
    if language:
        translation.activate(language)  # the rows' messages in the language of the job's thread
    _start_worker(owners, key)


def _check_in_worker(rows: list[tuple[int, Any]]) -> bytes:
    """The checked rows of a batch, pickled (see _pickled)."""
    # The cyclic collector is off while a batch is checked: it would walk the batch's parsed rows (tens of thousands
    # of objects, alive until the batch is done) over and over and find nothing, as these objects hold no cycles (a
    # sixth of the worker's time beyond normalising). Reference counting frees them; collections resume between
    # batches.
    gc.disable()
    try:
        owners = _worker_state["owners"]
        return _pickled(_validate([(line, _screen(owners, line, data)) for line, data in rows], _worker_state["key"]))
    finally:
        gc.enable()


def _pickled(checked: list[_Checked]) -> bytes:
    """``checked`` pickled without the memo: a batch is hundreds of thousands of small strings and tuples, none
    shared and none holding itself, and remembering each one in case it came again took most of the pickling time
    (5-7 µs an identifier with the memo, 2 without). The writer reads it with ``pickle.loads``."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(checked)
    return buffer.getvalue()


@dataclass
class _Batch:
    size: int
    checked: Any  # list of _Checked, or the pending result of a worker
    existing: set[tuple[int, str]] | None = None  # when already looked up


class _Ingest:
    """One run of :func:`ingest_rows`. Batches are checked (structure, agency, reference), validated (here, or with
    workers in other processes, reading the JSON there too, while earlier batches are written), then in order sorted
    into already there, repeated in this input, bad and good, and written."""

    def __init__(self, actor, agency: Agency | None, report: IngestReport, workers: int, start_method: str = "fork"):
        self.actor = actor
        self.report = report
        agencies = {a.code: a for a in Agency.objects.all()}
        self.by_id = {a.pk: a for a in agencies.values()}
        self.owners = _Owners(agencies, actor.agency if actor is not None else None, agency)
        self.seen: dict[tuple[int, str], int] = {}  # (agency, external reference) -> first line in this run
        self.key = community_key()
        self.pool = None
        self.spawned: SpawnedCalls | None = None  # workers started afresh, for a job's thread
        self.in_flight: list[_Batch] = []
        self.stopped: LookupLimitReached | None = None  # the author's recording allowance ran out: read no further
        self.analyze_at = 5000  # identifiers written before the planner's statistics are refreshed (then doubling)
        if workers > 0:
            import multiprocessing

            # A long run allocates millions of objects, and each full collection would walk everything loaded
            # before it too (Django, the identifier libraries' metadata): freezing that moves it out of the
            # collector's way, here and in the workers (validation a third faster). Reference counting still frees
            # it; cycles among these objects wait until the process ends (fork: the command line) or the run does
            # (spawn: a job's process lives on, so close() thaws them).
            gc.freeze()
            agency_ids = agency_ids_by_code()  # read here: workers never query the database
            context = multiprocessing.get_context(start_method)
            if start_method == "fork":
                connection.close()  # not shared with the forked workers; it reopens when next used
                self.pool = context.Pool(workers, initializer=_start_worker, initargs=(self.owners, self.key))
            else:
                language = translation.get_language()
                self.spawned = SpawnedCalls(_start_spawned_worker, self.owners, self.key, dict(agency_ids), language)
                self.pool = context.Pool(workers)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        if self.spawned is not None:
            gc.unfreeze()
            self.spawned = None

    def submit(self, rows: list[tuple[int, Any]]) -> None:
        """Start checking a batch; write the batches before it that are ready."""
        if self.pool is not None:
            call = self.spawned.call(_check_in_worker, rows) if self.spawned else (_check_in_worker, (rows,))
            self.in_flight.append(_Batch(len(rows), self.pool.apply_async(*call)))
            while len(self.in_flight) > 2:
                self.finish(self.in_flight.pop(0))
            return
        # In this process: rows already recorded, or repeated, are not validated (a re-run costs little).
        screened = [(line, _screen(self.owners, line, data)) for line, data in rows]
        keys = [((agency.pk, ref), line) for line, (agency, ref, _d, errors) in screened if not errors]
        existing = self._existing({row_key for row_key, _line in keys})
        skip: set[int] = set()
        first_here: dict[tuple[int, str], int] = {}  # this batch's first line of each reference
        for row_key, line in keys:
            if row_key in existing or row_key in self.seen or first_here.setdefault(row_key, line) != line:
                skip.add(line)
        self.finish(_Batch(len(rows), _validate(screened, self.key, skip), existing))

    def flush(self) -> None:
        while self.in_flight:
            self.finish(self.in_flight.pop(0))

    def finish(self, batch: _Batch) -> None:
        """Write a checked batch, or refuse it whole with every error of its rows."""
        report = self.report
        checked = batch.checked if isinstance(batch.checked, list) else pickle.loads(batch.checked.get())  # noqa: S301 - our own worker's bytes
        existing = batch.existing
        if existing is None:
            existing = self._existing({row_key for _line, row_key, _e, _p in checked if row_key is not None})
        errors: list[RowError] = []
        good: list[_Prepared] = []
        unchanged = 0
        for line, row_key, row_errors, prepared in checked:
            if row_key is None:
                errors.extend(row_errors)
                continue
            if row_key in existing:
                unchanged += 1
                continue
            first = self.seen.setdefault(row_key, line)
            if first != line:
                message = _("Also on line %(line)d of this input.") % {"line": first}
                errors.append(RowError(line, "external_reference", message))
            elif isinstance(prepared, _Prepared):
                good.append(prepared)
            else:
                errors.extend(prepared)
        report.unchanged += unchanged
        if errors:
            report.batches_refused += 1
            report.rejected += batch.size - unchanged
            report.invalid += len({e.line for e in errors})
            report.add_errors(sorted(errors, key=lambda e: e.line))
            return
        if not good:
            return
        if self.stopped is not None:  # a batch validated before the allowance ran out: not written either
            self._refuse(good, self.stopped)
            return
        try:
            # Every identifier written gets a hit/no-hit answer: counted before the batch's transaction, given back
            # if it is not written (decision 0031). The command line's import (no actor) is not counted.
            with charged(self.actor, sum(len(item.identifiers) for item in good), AllowanceKind.RECORDED):
                identifiers, hits = self.write(good)
        except LookupLimitReached as refused:
            self.stopped = refused
            report.detail = str(refused)
            report.retry_after = refused.retry_after
            self._refuse(good, refused)
            return
        except IntegrityError as exc:  # another writer took one of these references meanwhile; re-running is safe
            report.batches_refused += 1
            report.rejected += len(good)
            report.invalid += len(good)
            report.add_errors([RowError(good[0].line, "__all__", _("Batch not written: %(e)s") % {"e": exc})])
            return
        report.batches_written += 1
        report.created += len(good)
        report.identifiers += identifiers
        report.hits += hits
        if report.identifiers >= self.analyze_at:
            self.analyze_at = 2 * report.identifiers
            refresh_statistics()

    def _refuse(self, good: list[_Prepared], refused: LookupLimitReached) -> None:
        """Report a valid batch as not written, whole, because the allowance is used up."""
        report = self.report
        report.batches_refused += 1
        report.rejected += len(good)
        report.add_errors([RowError(good[0].line, "__all__", str(refused))])

    def _existing(self, keys: set[tuple[int, str]]) -> set[tuple[int, str]]:
        """The (agency, reference) pairs already recorded, in one query."""
        if not keys:
            return set()
        if connection.vendor == "postgresql":
            return _existing_postgresql(keys)
        by_agency: dict[int, list[str]] = defaultdict(list)
        for agency_id, reference in keys:
            by_agency[agency_id].append(reference)
        # Lists of up to 100 references, and saying the reference is not empty: then both databases use the unique
        # index on (agency, reference), which is partial (PostgreSQL proves that only for short IN lists).
        wanted = Q()
        for agency_id, references in by_agency.items():
            references.sort()
            for start in range(0, len(references), 100):
                wanted |= Q(owner_agency_id=agency_id, external_reference__in=references[start : start + 100])
        rows = (
            Case.objects.filter(wanted)
            .exclude(external_reference="")
            .values_list("owner_agency_id", "external_reference")
        )
        return set(rows)

    @transaction.atomic
    def write(self, good: list[_Prepared]) -> tuple[int, int]:
        """Write one batch of valid new cases and match it; returns (identifiers, hits)."""
        actor = self.actor
        per_agency: dict[int, list[_Prepared]] = defaultdict(list)
        for item in good:
            per_agency[item.agency_id].append(item)
        items = [item for group in per_agency.values() for item in group]
        actor_id = actor.pk if actor is not None else None
        references: list[str] = []
        case_rows: list[tuple] = []
        for agency_id, group in per_agency.items():
            taken = allocate_references(self.by_id[agency_id], len(group))
            references += taken
            case_rows += [
                (agency_id, ref, actor_id, actor_id, *item.fields) for item, ref in zip(group, taken, strict=True)
            ]
        names = ("owner_agency_id", "reference", "created_by_id", "updated_by_id", *_CASE_FIELDS)
        case_ids = insert_tuples(Case, names, case_rows, json_text=_JSON_FIELDS)
        self.report.insert_path = _insert_method(None)
        rates = _Rates({currency for item in items for _amount, currency, _on in item.losses})
        shares, losses, identifiers = [], [], []
        for case_id, item in zip(case_ids, items, strict=True):
            shares.extend(Row.of(CaseShare, case_id=case_id, agency_id=agency_id) for agency_id in item.shared_with)
            losses.extend(
                Row.of(
                    CaseLoss,
                    case_id=case_id,
                    amount=amount,
                    currency=currency,
                    occurred_on=on,
                    usd_amount=rates.usd(amount, currency, on),
                )
                for amount, currency, on in item.losses
            )
            identifiers.extend((case_id, item.agency_id, *values) for values in item.identifiers)
        insert_rows(CaseShare, shares)
        insert_rows(CaseLoss, losses)
        # Matching is planned before the identifiers are inserted: then the search returns only what was stored
        # before (a twentieth of the rows, at 5 % overlap), and the batch is matched with itself in memory.
        ids = _take_ids(CaseIdentifier, len(identifiers))
        token_at, linked_at = 2 + IDENTIFIER_FIELDS.index("token"), 2 + IDENTIFIER_FIELDS.index("linked_token")
        plan = plan_matches(
            [
                NewIdentifier(pk, row[0], row[1], row[token_at], row[linked_at])
                for pk, row in zip(ids, identifiers, strict=True)
            ],
            stored=False,
        )
        insert_tuples(CaseIdentifier, ("case_id", "owner_agency_id", *IDENTIFIER_FIELDS), identifiers, ids=ids)
        outcome = record_matches(plan)
        if actor is not None and Case.objects.visible_to(actor).filter(pk__in=case_ids).count() != len(case_ids):
            raise PermissionError("ingested cases would not be visible to their author")
        hits_of: dict[int, int] = defaultdict(int)
        for hit in outcome.hits:
            hits_of[hit.left_agency_id] += 1
            if hit.right_agency_id != hit.left_agency_id:
                hits_of[hit.right_agency_id] += 1
        identifiers_of: dict[int, int] = defaultdict(int)
        for row in identifiers:
            identifiers_of[row[1]] += 1
        offset = 0
        for agency_id, group in per_agency.items():
            mine = references[offset : offset + len(group)]
            offset += len(group)
            record_event(
                Action.CASES_INGESTED,
                actor=actor,
                actor_username="" if actor is not None else "cli",
                agency=self.by_id[agency_id],
                object_type="cases.case",
                object_id=f"{mine[0]}..{mine[-1]}",
                details={
                    "lines": [group[0].line, group[-1].line],
                    "created": len(group),
                    "identifiers": identifiers_of[agency_id],
                    "hits": hits_of.get(agency_id, 0),
                    "references": [mine[0], mine[-1]],
                },
            )
        notify_match(outcome)
        return len(identifiers), len(outcome.hits)


def ingest_rows(
    actor,
    rows: Iterable[tuple[int, Any]],
    *,
    agency: Agency | None = None,
    batch_size: int = 1000,
    progress: Callable[[IngestReport], None] | None = None,
    max_errors: int = 1000,
    workers: int = 0,
    start_method: str = "fork",
) -> IngestReport:
    """Ingest ``(line number, row)`` pairs (see :func:`read_ndjson`; a row may be an unparsed line) in
    all-or-nothing batches of ``batch_size``.

    With an ``actor`` (the API), the actor must be allowed to record cases (``check_case_writer``: PermissionDenied
    before any line is read), every row is recorded for the actor's agency and a row naming another agency is
    refused. Without one (the CLI, a trusted caller), a row's ``"agency"`` code decides and ``agency`` is the
    default for rows without one. ``progress`` is called with the report after each batch.

    With an ``actor``, each batch's identifiers are counted against the actor's hourly recording allowance (and the
    agency's) before the batch is written. When it runs out, that batch and any validated after it are refused whole,
    no further line is read, and the report says why and in how many seconds the allowance starts afresh
    (``detail``, ``retry_after``); sending the same input again then resumes, since rows written are skipped.

    ``workers`` > 0 validates rows in that many other processes while the previous batch is written (same
    validation, same writes, same order). ``start_method`` "fork" (the CLI) needs to run outside a transaction,
    since the database connection is closed before the processes start; "spawn" (a job's thread, where forking is
    unsafe) starts them afresh, at lower priority, and leaves the connection alone.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if start_method not in ("fork", "spawn"):
        raise ValueError(f"start_method must be 'fork' or 'spawn', not {start_method!r}")
    if workers and start_method == "fork" and connection.in_atomic_block:
        raise RuntimeError("ingest with workers runs outside a transaction")
    if actor is not None:  # the rule of recording one case, before a line is read
        check_case_writer(actor)
    report = IngestReport(max_errors=max_errors)
    run = _Ingest(actor, agency, report, workers, start_method)
    try:
        batch: list[tuple[int, Any]] = []
        for row in rows:
            report.received += 1
            batch.append(row)
            if len(batch) >= batch_size:
                written = report.batches_written + report.batches_refused
                run.submit(batch)
                batch = []
                if progress is not None and report.batches_written + report.batches_refused != written:
                    progress(report)
                if run.stopped is not None:  # the rest waits for the next hour: sending it again resumes
                    break
        if batch and run.stopped is None:
            run.submit(batch)
        run.flush()
    finally:
        run.close()
    if progress is not None:
        progress(report)
    return report
