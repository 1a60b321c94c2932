"""Every write to cases: record, change sharing, add identifiers, ingest in bulk. Matching runs in the same
transaction, so a hit exists the moment the case does; notifications leave after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import BulkImport, Case, CaseIdentifier, CaseLoss, CaseSequence, CaseShare, ExchangeRate
from lintas.cases.validation import CleanCase, CleanIdentifier
from lintas.core.access import assert_still_visible
from lintas.matching.allowance import charged
from lintas.matching.choices import AllowanceKind
from lintas.matching.engine import MatchResult, match_new_identifiers
from lintas.matching.tokens import community_key, tokens_for

__all__ = [
    "IDENTIFIER_FIELDS",
    "add_identifiers",
    "allocate_references",
    "build_identifiers",
    "create_case",
    "identifier_fields",
    "identifier_values",
    "queue_import",
    "usd_amount",
]


def allocate_references(agency: Agency, count: int, year: int | None = None) -> list[str]:
    """Take ``count`` consecutive references for ``agency`` (call inside a transaction).

    One ``UPDATE ... RETURNING`` (both databases) takes the numbers and holds the row's lock until commit, so two
    writers never share a number; the year's row is created the first time.
    """
    year = year or timezone.now().year
    table = connection.ops.quote_name(CaseSequence._meta.db_table)
    sql = f"UPDATE {table} SET last = last + %s WHERE agency_id = %s AND year = %s RETURNING last"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, agency.pk, year])
        row = cursor.fetchone()
        if row is None:
            CaseSequence.objects.get_or_create(agency=agency, year=year)
            cursor.execute(sql, [count, agency.pk, year])
            row = cursor.fetchone()
    last = row[0]
    prefix = agency.short_name.replace(" ", "")
    return [f"{prefix}-{year}-{number:06d}" for number in range(last - count + 1, last + 1)]


_rates: dict[tuple[dt.date, str], Decimal] = {}


def usd_amount(amount: Decimal, currency: str, on: dt.date | None) -> Decimal | None:
    """The US dollar equivalent at the month's rate, or None when the rates table has no rate for it."""
    if currency == "USD":
        return amount
    month = (on or timezone.now().date()).replace(day=1)
    rate = (
        ExchangeRate.objects.filter(currency=currency, month__lte=month)
        .order_by("-month")
        .values_list("usd_per_unit", flat=True)
        .first()
    )
    return None if rate is None else usd_at_rate(amount, rate)


def usd_at_rate(amount: Decimal, rate: Decimal) -> Decimal | None:
    """``amount`` times ``rate`` in US dollars, or None when the product does not fit the loss's column (a rate
    typed a million times too large must not make a loss unreadable)."""
    from lintas.core.validation import clean_decimal

    return clean_decimal(CaseLoss, "usd_amount", amount * rate, {}, minimum=None, round_places=True)


# The fields of an identifier row that come from the identifier (the case and agency aside), in the order of
# identifier_values' tuples.
IDENTIFIER_FIELDS = (
    "type", "value", "display", "raw", "country", "valid", "role", "first_seen_on", "last_seen_on", "token",
    "linked_token", "blind",
)  # fmt: skip


def identifier_values(items: Sequence[CleanIdentifier], key: bytes) -> list[tuple]:
    """The values of each identifier row, ``IDENTIFIER_FIELDS`` in order; one per token, the first kept.

    Tuples, not dicts: bulk ingest makes one for each of millions of identifiers and writes tuples."""
    rows: dict[str, tuple] = {}
    for item in items:
        result = item.result
        if result is None:
            token = item.token
            if token not in rows:
                rows[token] = (
                    item.type or "unknown", "", "", "", "", True,
                    item.role, item.first_seen_on, item.last_seen_on, token, "", True,
                )  # fmt: skip
            continue
        token, linked = tokens_for(key, result)
        if token not in rows:
            rows[token] = (
                str(result.type), result.value[:512], result.display[:512], (result.input or result.display)[:512],
                result.country[:2], result.valid, item.role, item.first_seen_on, item.last_seen_on, token, linked,
                False,
            )  # fmt: skip
    return list(rows.values())


def identifier_fields(items: Sequence[CleanIdentifier], key: bytes) -> list[dict]:
    """:func:`identifier_values` as field names and values."""
    return [dict(zip(IDENTIFIER_FIELDS, values, strict=True)) for values in identifier_values(items, key)]


def build_identifiers(case: Case, items: Sequence[CleanIdentifier], key: bytes) -> list[CaseIdentifier]:
    """Unsaved identifier rows for ``case``; one per token (the same identifier twice in a case is kept once)."""
    return _identifier_rows(case, identifier_values(items, key))


def _case_fields(clean: CleanCase) -> dict:
    return {
        "title": clean.title,
        "crime_type": clean.crime_type,
        "external_reference": clean.external_reference,
        "modus_operandi": clean.modus_operandi,
        "status": clean.status,
        "first_incident_on": clean.first_incident_on,
        "last_incident_on": clean.last_incident_on,
        "countries": clean.countries,
        "narrative": clean.narrative,
        "victim_count": clean.victim_count,
        "victim_nationalities": clean.victim_nationalities,
        "victim_age_bands": clean.victim_age_bands,
        "distribution": clean.distribution,
        "tlp": clean.tlp,
        "handling_code": clean.handling_code,
        "handling_text": clean.handling_text,
        "source_reliability": clean.source_reliability,
        "information_accuracy": clean.information_accuracy,
        "purpose": clean.purpose,
        "legal_basis": clean.legal_basis,
        "review_on": clean.review_on or Case.default_review_on(),
        "hide_owner_in_hits": clean.hide_owner_in_hits,
    }


def _narrative_identifiers(clean: CleanCase, country: str) -> list[CleanIdentifier]:
    """Identifiers written in the narrative also match (a phone in a victim statement)."""
    if not clean.narrative:
        return []
    from lintas import identifiers

    return [
        CleanIdentifier(result, "mentioned")
        for result in identifiers.extract(clean.narrative, country or None)
        if result.valid and result.type != "person_name"
    ]


CASE_WRITER_ROLES = ("investigator", "analyst", "supervisor")


def check_case_writer(actor, case: Case | None = None) -> None:
    """Investigators, analysts and supervisors record and change their own agency's cases; nobody else does."""
    if actor.agency.is_secretariat:
        raise PermissionDenied(_("The Secretariat coordinates; it does not hold cases."))
    if not actor.has_role(*CASE_WRITER_ROLES):
        raise PermissionDenied(_("Recording and changing cases needs the investigator, analyst or supervisor role."))
    if case is not None and case.owner_agency_id != actor.agency_id:
        raise PermissionDenied(_("Only the agency that owns a case changes it."))


def _refuse_duplicate_reference(agency: Agency, external_reference: str) -> None:
    """An agency's own case number names one case (bulk ingest relies on it): a second one is refused, not a 500."""
    if not external_reference:
        return
    existing = (
        Case.objects.filter(owner_agency=agency, external_reference=external_reference)
        .values_list("reference", flat=True)
        .first()
    )
    if existing:
        from django.core.exceptions import ValidationError

        message = _("Your agency already has a case with this reference: %(reference)s.") % {"reference": existing}
        raise ValidationError({"external_reference": [message]})


def create_case(actor, clean: CleanCase) -> tuple[Case, MatchResult]:
    """Record a case for the actor's agency with its identifiers and losses, and match it at once.

    Each identifier recorded gets a hit/no-hit answer, so they are counted against the actor's hourly recording
    allowance first (``lintas.matching.allowance``): past it, :class:`LookupLimitReached` and nothing is written."""
    check_case_writer(actor)
    items = [*clean.identifiers, *_narrative_identifiers(clean, actor.agency.country)]
    rows = identifier_values(items, community_key())
    with charged(actor, len(rows), AllowanceKind.RECORDED):
        return _create_case(actor, clean, rows)


@transaction.atomic
def _create_case(actor, clean: CleanCase, rows: list[tuple]) -> tuple[Case, MatchResult]:
    check_case_writer(actor)
    agency = actor.agency
    _refuse_duplicate_reference(agency, clean.external_reference)
    reference = allocate_references(agency, 1)[0]
    try:
        with transaction.atomic():  # a savepoint: another writer may take the same own reference meanwhile
            case = Case.objects.create(
                owner_agency=agency, reference=reference, created_by=actor, updated_by=actor, **_case_fields(clean)
            )
    except IntegrityError:
        _refuse_duplicate_reference(agency, clean.external_reference)
        raise
    CaseShare.objects.bulk_create([CaseShare(case=case, agency_id=a) for a in clean.shared_with])
    CaseLoss.objects.bulk_create(
        [
            CaseLoss(
                case=case,
                amount=loss.amount,
                currency=loss.currency,
                occurred_on=loss.occurred_on,
                usd_amount=usd_amount(loss.amount, loss.currency, loss.occurred_on),
            )
            for loss in clean.losses
        ]
    )
    new = CaseIdentifier.objects.bulk_create(_identifier_rows(case, rows))
    outcome = match_new_identifiers(new)
    record_event(
        Action.CASE_CREATED,
        actor=actor,
        target=case,
        details={"reference": reference, "identifiers": len(new), "hits": len(outcome.hits)},
    )
    assert_still_visible(case, actor)
    from lintas.matching.notify import notify_match

    notify_match(outcome)
    return case, outcome


def add_identifiers(actor, case: Case, items: Sequence[CleanIdentifier]) -> tuple[list[CaseIdentifier], MatchResult]:
    """Add identifiers to a case of the actor's agency and match them. The ones new to the case are counted against
    the actor's hourly recording allowance first, as in :func:`create_case`."""
    check_case_writer(actor, case)
    existing = set(case.identifiers.values_list("token", flat=True))
    rows = [row for row in identifier_values(items, community_key()) if row[_TOKEN_AT] not in existing]
    with charged(actor, len(rows), AllowanceKind.RECORDED):
        return _add_identifiers(actor, case, rows)


@transaction.atomic
def _add_identifiers(actor, case: Case, rows: list[tuple]) -> tuple[list[CaseIdentifier], MatchResult]:
    check_case_writer(actor, case)
    new = CaseIdentifier.objects.bulk_create(_identifier_rows(case, rows))
    outcome = match_new_identifiers(new)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now(), updated_by=actor)
    record_event(
        Action.IDENTIFIERS_ADDED, actor=actor, target=case, details={"identifiers": len(new), "hits": len(outcome.hits)}
    )
    from lintas.matching.notify import notify_match

    notify_match(outcome)
    return new, outcome


_TOKEN_AT = IDENTIFIER_FIELDS.index("token")


def _identifier_rows(case: Case, rows: list[tuple]) -> list[CaseIdentifier]:
    return [
        CaseIdentifier(
            case=case, owner_agency_id=case.owner_agency_id, **dict(zip(IDENTIFIER_FIELDS, row, strict=True))
        )
        for row in rows
    ]


_EDITABLE = (
    "title",
    "crime_type",
    "modus_operandi",
    "status",
    "first_incident_on",
    "last_incident_on",
    "countries",
    "narrative",
    "victim_count",
    "victim_nationalities",
    "victim_age_bands",
    "distribution",
    "shared_with",
    "tlp",
    "handling_code",
    "handling_text",
    "source_reliability",
    "information_accuracy",
    "purpose",
    "legal_basis",
    "review_on",
    "hide_owner_in_hits",
)


def case_as_data(case: Case) -> dict:
    """A case as the plain data ``clean_case`` takes (without identifiers and losses)."""
    data = {name: getattr(case, name) for name in _EDITABLE if name != "shared_with"}
    data["shared_with"] = list(case.shares.values_list("agency__code", flat=True))
    data["external_reference"] = case.external_reference
    return data


@transaction.atomic
def update_case(actor, case: Case, changes: dict) -> Case:
    """Change a case's fields or sharing. Only the owner agency; validated exactly like a new case."""
    from lintas.cases.validation import clean_case

    check_case_writer(actor, case)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        from django.core.exceptions import ValidationError

        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    before = case_as_data(case)
    clean = clean_case({**before, **changes}, owner=case.owner_agency)
    fields = _case_fields(clean)
    fields.pop("external_reference")
    changed = sorted(name for name, value in fields.items() if getattr(case, name) != value)
    if "review_on" in changed:
        case.review_reminded_on = None  # a new review date earns a new reminder
    for name in changed:
        setattr(case, name, fields[name])
    case.updated_by = actor
    case.save()
    if set(clean.shared_with) != set(case.shares.values_list("agency_id", flat=True)):
        case.shares.all().delete()
        CaseShare.objects.bulk_create([CaseShare(case=case, agency_id=a) for a in clean.shared_with])
        changed.append("shared_with")
    record_event(Action.CASE_UPDATED, actor=actor, target=case, details={"changed": changed})
    return case


@transaction.atomic
def import_exchange_rates(actor, text: str) -> int:
    """Replace monthly USD rates from CSV text ``month,currency,usd_per_unit`` (month as YYYY-MM).

    Platform admin only; all lines or none: every bad line is reported with its number. Losses in the months and
    currencies given are converted again.
    """
    import csv
    import io

    from django.core.exceptions import ValidationError

    from lintas.accounts.choices import Role
    from lintas.core.validation import clean_currency, clean_date, clean_decimal

    if not actor.has_role(Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only the platform admin keeps the exchange rates."))
    rates, errors = {}, []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or (number == 1 and row[0].strip().lower() == "month"):
            continue
        problems: dict[str, list[str]] = {}
        try:
            month_text, currency, rate_text = (cell.strip() for cell in row)
            month = clean_date(f"{month_text}-01", problems, "month")
        except ValueError:
            month = None
            problems["line"] = [_("expected YYYY-MM,CUR,rate")]
        else:
            currency = clean_currency(currency, problems)
            rate = clean_decimal(ExchangeRate, "usd_per_unit", rate_text, problems, positive=True, round_places=True)
        if problems or month is None:
            detail = " ".join(m for messages in problems.values() for m in messages)
            errors.append(
                _("line %(n)d: expected YYYY-MM,CUR,rate with a positive rate (%(detail)s)")
                % {"n": number, "detail": detail}
            )
            continue
        rates[(month, currency)] = rate
    if errors:
        raise ValidationError(errors)
    if not rates:
        raise ValidationError(_("The file holds no rates."))
    for (month, currency), rate in rates.items():
        ExchangeRate.objects.update_or_create(month=month, currency=currency, defaults={"usd_per_unit": rate})
    for loss in CaseLoss.objects.filter(currency__in={currency for _month, currency in rates}):
        value = usd_amount(loss.amount, loss.currency, loss.occurred_on or loss.case.created_at.date())
        if value != loss.usd_amount:
            CaseLoss.objects.filter(pk=loss.pk).update(usd_amount=value)
    record_event(Action.RATES_UPLOADED, actor=actor, details={"rates": len(rates)})
    return len(rates)


REVIEW_NOTICE_DAYS = 183  # owners are reminded six months before a case's review date


def remind_reviews(today: dt.date | None = None) -> int:
    """Notify each case's recorder and its agency's admins once, six months before the review date."""
    from lintas.accounts.choices import Role
    from lintas.accounts.models import User
    from lintas.notifications.models import Notification, NotificationKind
    from lintas.notifications.services import for_recipients

    today = today or timezone.now().date()
    due = Case.objects.filter(review_on__lte=today + dt.timedelta(days=REVIEW_NOTICE_DAYS), review_reminded_on=None)
    count = 0
    for case in due.select_related("owner_agency").iterator(chunk_size=500):
        with transaction.atomic():
            recipients = set(
                User.objects.with_role(Role.AGENCY_ADMIN)
                .filter(agency_id=case.owner_agency_id, is_active=True)
                .values_list("pk", flat=True)
            )
            if case.created_by_id:
                recipients.add(case.created_by_id)
            Notification.objects.bulk_create(
                for_recipients(
                    recipients,
                    gettext_lazy("Case %(reference)s is due for review on %(date)s: keep, update or delete its data."),
                    {"reference": case.reference, "date": case.review_on},  # in each reader's date format
                    kind=NotificationKind.REVIEW_DUE,
                    url=f"/cases/{case.pk}/",
                )
            )
            Case.objects.filter(pk=case.pk).update(review_reminded_on=today)
            record_event(
                Action.REVIEW_REMINDED, target=case, actor_username="system", details={"due": str(case.review_on)}
            )
            count += 1
    return count


IMPORT_CHUNK = 1024 * 1024


def imports_dir():
    from django.conf import settings

    path = settings.IMPORTS_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def queue_import(actor, stream) -> BulkImport:
    """Store an NDJSON body (read in chunks, never whole in memory) and queue its ingest as a job: an import of any
    size, where ``POST /cases/bulk`` ends with the web worker's time-out. Same rules as bulk ingest."""
    import uuid

    from lintas.cases.tasks import run_import

    check_case_writer(actor)
    name = f"{uuid.uuid4().hex}.ndjson"
    path = imports_dir() / name
    size = 0
    try:
        with open(path, "wb") as out:
            while chunk := stream.read(IMPORT_CHUNK):
                out.write(chunk)
                size += len(chunk)
        with transaction.atomic():
            job = BulkImport.objects.create(
                owner_agency=actor.agency, created_by=actor, updated_by=actor, file_name=name, size=size
            )
            record_event(Action.IMPORT_QUEUED, actor=actor, target=job, details={"bytes": size})
            transaction.on_commit(lambda: run_import(job.pk))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job
