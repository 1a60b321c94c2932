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

The input is streamed: only one batch is held in memory.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import Case, CaseIdentifier, CaseLoss, CaseShare, ExchangeRate
from lintas.cases.services import _case_fields, _narrative_identifiers, allocate_references, build_identifiers
from lintas.cases.validation import CaseInvalid, CleanCase, clean_case
from lintas.matching.engine import match_new_identifiers
from lintas.matching.notify import notify_match
from lintas.matching.tokens import community_key

__all__ = [
    "MAX_LINE_BYTES",
    "IngestReport",
    "NotJson",
    "RowError",
    "ingest_rows",
    "insert_rows",
    "read_ndjson",
]

MAX_LINE_BYTES = 8 * 1024 * 1024  # one case with 5,000 identifiers and a long narrative fits many times over
_CHUNK = 2000  # parameters per IN list


@dataclass(frozen=True)
class NotJson:
    """A line that could not be read as JSON (the parser's reason)."""

    reason: str


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
            self.errors.extend(errors[:room])

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


def read_ndjson(source, *, max_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, dict | NotJson]]:
    """``(line number, parsed row)`` for each non-blank line of ``source`` (a binary stream such as a request or an
    open file, or an iterable of lines). A line that is not JSON gives a :class:`NotJson` with the reason."""
    for number, line in enumerate(_lines(source, max_bytes), start=1):
        if line is None:
            yield number, NotJson(_("Line longer than %(n)d bytes.") % {"n": max_bytes})
            continue
        if number == 1 and isinstance(line, bytes) and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
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


def _take_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve ``count`` new primary keys of ``model`` (inside the caller's transaction)."""
    opts = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, count],
            )
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


def insert_rows(model: type[models.Model], objs: list[models.Model], *, method: str | None = None) -> str:
    """Insert unsaved ``objs`` of ``model``, set their primary keys, and return how: "copy", "executemany" or
    "bulk_create".

    The one place where bulk ingest meets the database. PostgreSQL takes the rows by ``COPY ... FROM STDIN``
    ("copy"), several times faster than INSERT; SQLite by one prepared INSERT run for every row ("executemany").
    Either way the ids are reserved first in one statement (the table's sequence), and values go to the driver as
    they are wherever Django would not change them. Any other database gets ``bulk_create``. ``auto_now`` fields
    are filled in, as ``save`` would.
    """
    vendor = connection.vendor
    if method is None:
        method = {"postgresql": "copy", "sqlite": "executemany"}.get(vendor, "bulk_create")
    if method == "copy" and vendor != "postgresql":
        raise ValueError("COPY needs PostgreSQL")
    if not objs:
        return method
    if method == "bulk_create":
        model._default_manager.bulk_create(objs)
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

    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in (*plain, *stamped, *other))
    with transaction.atomic(savepoint=False):
        for obj, pk in zip(objs, _take_ids(model, len(objs)), strict=True):
            obj.pk = pk
        with connection.cursor() as cursor:
            if method == "copy":
                with cursor.cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy:
                    for row in rows():
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * (len(plain) + len(stamped) + len(other)))
                sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows())
    for obj in objs:
        for f in stamped:
            setattr(obj, f.attname, now)
        obj._state.adding = False
        obj._state.db = connection.alias
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
        return (amount * self.rates[currency][index - 1]).quantize(Decimal("0.01"))


@dataclass
class _Good:
    line: int
    agency: Agency
    clean: CleanCase


class _Ingest:
    def __init__(self, actor, agency: Agency | None, report: IngestReport):
        self.actor = actor
        self.default_agency = agency
        self.report = report
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.seen: dict[tuple[int, str], int] = {}  # (agency, external reference) -> first line in this run
        self.key = community_key()

    def owner(self, data: dict) -> tuple[Agency | None, str]:
        """The agency a row is recorded for, or None and why not."""
        code = str(data.get("agency") or "").strip().lower()
        if self.actor is not None:
            agency = self.actor.agency
            if code and code != agency.code:
                return None, _("You can only ingest cases for your own agency (%(code)s).") % {"code": agency.code}
        elif code:
            agency = self.agencies.get(code)
            if agency is None:
                return None, _("Unknown agency code: %(code)s") % {"code": code}
        else:
            agency = self.default_agency
            if agency is None:
                return None, _('Name the agency: an "agency" field in the row or --agency.')
        if agency.is_secretariat:
            return None, _("The Secretariat coordinates; it does not hold cases.")
        return agency, ""

    def batch(self, rows: list[tuple[int, Any]]) -> None:
        report = self.report
        errors: list[RowError] = []
        bad_lines: set[int] = set()

        def refuse(line: int, name: str, message: str) -> None:
            errors.append(RowError(line, name, str(message)))
            bad_lines.add(line)

        pending: list[tuple[int, dict, Agency, str]] = []
        for line, data in rows:
            if isinstance(data, NotJson):
                refuse(line, "__all__", _("Not JSON: %(reason)s") % {"reason": data.reason})
                continue
            if not isinstance(data, dict):
                refuse(line, "__all__", _("Expected a JSON object."))
                continue
            agency, why = self.owner(data)
            if agency is None:
                refuse(line, "agency", why)
            reference = str(data.get("external_reference") or "").strip()
            if not reference:
                refuse(
                    line,
                    "external_reference",
                    _("Bulk ingest needs the agency's own reference: it is what makes a re-run change nothing."),
                )
            if agency is not None and reference:
                pending.append((line, data, agency, reference))
        existing = self._existing({(agency.pk, reference) for _l, _d, agency, reference in pending})
        unchanged = 0
        good: list[_Good] = []
        for line, data, agency, reference in pending:
            key = (agency.pk, reference)
            if key in existing:
                unchanged += 1
                continue
            first = self.seen.setdefault(key, line)
            if first != line:
                refuse(line, "external_reference", _("Also on line %(line)d of this input.") % {"line": first})
                continue
            try:
                good.append(_Good(line, agency, clean_case(data, owner=agency)))
            except CaseInvalid as invalid:
                for name, messages in invalid.errors.items():
                    for message in messages:
                        refuse(line, name, message)
        report.unchanged += unchanged
        if errors:
            report.batches_refused += 1
            report.rejected += len(rows) - unchanged
            report.invalid += len(bad_lines)
            report.add_errors(sorted(errors, key=lambda e: e.line))
            return
        if not good:
            return
        try:
            identifiers, hits = self.write(good)
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

    def _existing(self, keys: set[tuple[int, str]]) -> set[tuple[int, str]]:
        by_agency: dict[int, list[str]] = defaultdict(list)
        for agency_id, reference in keys:
            by_agency[agency_id].append(reference)
        found: set[tuple[int, str]] = set()
        for agency_id, references in by_agency.items():
            references.sort()
            for start in range(0, len(references), _CHUNK):
                rows = Case.objects.filter(
                    owner_agency_id=agency_id, external_reference__in=references[start : start + _CHUNK]
                ).values_list("external_reference", flat=True)
                found.update((agency_id, reference) for reference in rows)
        return found

    @transaction.atomic
    def write(self, good: list[_Good]) -> tuple[int, int]:
        """Write one batch of valid new cases and match it; returns (identifiers, hits)."""
        actor = self.actor
        per_agency: dict[int, list[_Good]] = defaultdict(list)
        for item in good:
            per_agency[item.agency.pk].append(item)
        cases: list[Case] = []
        for items in per_agency.values():
            agency = items[0].agency
            for item, reference in zip(items, allocate_references(agency, len(items)), strict=True):
                cases.append(
                    Case(
                        owner_agency=agency,
                        reference=reference,
                        created_by=actor,
                        updated_by=actor,
                        **_case_fields(item.clean),
                    )
                )
        items = [item for group in per_agency.values() for item in group]
        self.report.insert_path = insert_rows(Case, cases)
        shares, losses, identifiers = [], [], []
        rates = _Rates({loss.currency for item in items for loss in item.clean.losses})
        for case, item in zip(cases, items, strict=True):
            clean = item.clean
            shares.extend(CaseShare(case_id=case.pk, agency_id=agency_id) for agency_id in clean.shared_with)
            losses.extend(
                CaseLoss(
                    case_id=case.pk,
                    amount=loss.amount,
                    currency=loss.currency,
                    occurred_on=loss.occurred_on,
                    usd_amount=rates.usd(loss.amount, loss.currency, loss.occurred_on),
                )
                for loss in clean.losses
            )
            found = [*clean.identifiers, *_narrative_identifiers(clean, item.agency.country)]
            identifiers.extend(build_identifiers(case, found, self.key))
        insert_rows(CaseShare, shares)
        insert_rows(CaseLoss, losses)
        insert_rows(CaseIdentifier, identifiers)
        outcome = match_new_identifiers(identifiers)
        if actor is not None and Case.objects.visible_to(actor).filter(pk__in=[c.pk for c in cases]).count() != len(
            cases
        ):
            raise PermissionError("ingested cases would not be visible to their author")
        hits_of: dict[int, int] = defaultdict(int)
        for hit in outcome.hits:
            hits_of[hit.left_agency_id] += 1
            if hit.right_agency_id != hit.left_agency_id:
                hits_of[hit.right_agency_id] += 1
        offset = 0
        for agency_id, group in per_agency.items():
            mine = cases[offset : offset + len(group)]
            offset += len(group)
            record_event(
                Action.CASES_INGESTED,
                actor=actor,
                actor_username="" if actor is not None else "cli",
                agency=group[0].agency,
                object_type="cases.case",
                object_id=f"{mine[0].reference}..{mine[-1].reference}",
                details={
                    "lines": [group[0].line, group[-1].line],
                    "created": len(group),
                    "identifiers": sum(1 for i in identifiers if i.owner_agency_id == agency_id),
                    "hits": hits_of.get(agency_id, 0),
                    "references": [mine[0].reference, mine[-1].reference],
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
) -> IngestReport:
    """Ingest ``(line number, row)`` pairs (see :func:`read_ndjson`) in all-or-nothing batches of ``batch_size``.

    With an ``actor`` (the API), every row is recorded for the actor's agency and a row naming another agency is
    refused. Without one (the CLI, a trusted caller), a row's ``"agency"`` code decides and ``agency`` is the
    default for rows without one. ``progress`` is called with the report after each batch.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = IngestReport(max_errors=max_errors)
    run = _Ingest(actor, agency, report)
    batch: list[tuple[int, Any]] = []
    for row in rows:
        report.received += 1
        batch.append(row)
        if len(batch) >= batch_size:
            run.batch(batch)
            batch = []
            if progress is not None:
                progress(report)
    if batch:
        run.batch(batch)
        if progress is not None:
            progress(report)
    return report
