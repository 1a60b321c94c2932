"""Cases API: list, record, read, change and add identifiers. Reads go through Case.objects.visible_to."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Body, Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases import services
from lintas.cases.models import BulkImport, Case
from lintas.cases.validation import CaseInvalid, clean_case
from lintas.core.access import get_visible_or_404
from lintas.core.api_input import Id, LimitOffsetPagination

__all__ = ["router"]

router = Router()


class IdentifierOut(Schema):
    id: int
    type: str
    value: str
    display: str
    role: str
    blind: bool
    first_seen_on: dt.date | None
    last_seen_on: dt.date | None


class LossOut(Schema):
    amount: str
    currency: str
    occurred_on: dt.date | None
    usd_amount: str | None


class CaseSummary(Schema):
    id: int
    reference: str
    title: str
    owner: str = Field(..., alias="owner_agency.short_name")
    crime_type: str
    status: str
    distribution: str
    tlp: str
    created_at: dt.datetime


class CaseOut(CaseSummary):
    external_reference: str
    modus_operandi: list[str]
    first_incident_on: dt.date | None
    last_incident_on: dt.date | None
    countries: list[str]
    narrative: str
    victim_count: int
    victim_nationalities: list[str]
    victim_age_bands: list[str]
    shared_with: list[str]
    handling_code: str
    handling_text: str
    source_reliability: str
    information_accuracy: str
    purpose: str
    legal_basis: str
    review_on: dt.date
    hide_owner_in_hits: bool
    identifiers: list[IdentifierOut]
    losses: list[LossOut]

    @staticmethod
    def resolve_shared_with(obj):
        return [share.agency.code for share in obj.shares.all()]

    @staticmethod
    def resolve_identifiers(obj):
        return list(obj.identifiers.all())

    @staticmethod
    def resolve_losses(obj):
        return [
            {
                "amount": str(loss.amount),
                "currency": loss.currency,
                "occurred_on": loss.occurred_on,
                "usd_amount": None if loss.usd_amount is None else str(loss.usd_amount),
            }
            for loss in obj.losses.all()
        ]


class CaseCreated(Schema):
    case: CaseOut
    hits: int


class CaseFilters(Schema):
    status: str = ""
    crime_type: str = ""
    mine: bool = False
    q: str = ""


def _invalid(error: CaseInvalid) -> ValidationError:
    return ValidationError(error.errors)


def _full(queryset):
    return queryset.select_related("owner_agency").prefetch_related("identifiers", "losses", "shares__agency")


@router.get("/", response=list[CaseSummary], summary="Cases visible to me, newest first")
@paginate(LimitOffsetPagination)
def list_cases(request, filters: Query[CaseFilters]):
    cases = Case.objects.visible_to(request.user).select_related("owner_agency")
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.crime_type:
        cases = cases.filter(crime_type=filters.crime_type)
    if filters.mine:
        cases = cases.filter(owner_agency_id=request.user.agency_id)
    if filters.q:
        cases = cases.filter(title__icontains=filters.q) | cases.filter(reference__iexact=filters.q)
    record_event(Action.CASES_LISTED, actor=request.user, details={"filters": filters.dict(), "api": True})
    return cases


@router.post("/", response={201: CaseCreated}, summary="Record a case with its identifiers (matched at once)")
def create_case(request, payload: Body[dict[str, Any]]):
    services.check_case_writer(request.user)  # the role first: 403, audited, whatever the input
    try:
        clean = clean_case(payload, owner=request.user.agency)
    except CaseInvalid as error:
        raise _invalid(error) from None
    case, outcome = services.create_case(request.user, clean)
    return Status(201, {"case": _full(Case.objects.filter(pk=case.pk)).get(), "hits": len(outcome.hits)})


@router.get("/{int:case_id}", response=CaseOut, summary="One case (audited)")
def get_case(request, case_id: Id):
    case = get_visible_or_404(_full(Case.objects.all()), request.user, pk=case_id)
    record_event(Action.CASE_VIEWED, actor=request.user, target=case, details={"api": True})
    return case


@router.patch("/{int:case_id}", response=CaseOut, summary="Change a case or its sharing (owner agency only)")
def update_case(request, case_id: Id, payload: Body[dict[str, Any]]):
    case = get_visible_or_404(Case.objects.all(), request.user, pk=case_id)
    try:
        services.update_case(request.user, case, payload)
    except CaseInvalid as error:
        raise _invalid(error) from None
    return _full(Case.objects.filter(pk=case.pk)).get()


class IdentifiersIn(Schema):
    identifiers: list[str | dict[str, Any]] = Field(
        ..., max_length=5000, description="Values as text, or objects with value (or token), type, role, country."
    )


class IdentifiersAdded(Schema):
    added: list[IdentifierOut]
    hits: int


@router.post("/{case_id}/identifiers", response={201: IdentifiersAdded}, summary="Add identifiers to my case")
def add_identifiers(request, case_id: Id, payload: IdentifiersIn):
    case = get_visible_or_404(Case.objects.all(), request.user, pk=case_id)
    services.check_case_writer(request.user, case)  # the role first: 403, audited, whatever the input
    try:
        clean = clean_case(
            {"title": case.title, "crime_type": case.crime_type, "identifiers": payload.identifiers},
            owner=case.owner_agency,
        )
    except CaseInvalid as error:
        raise _invalid(error) from None
    added, outcome = services.add_identifiers(request.user, case, clean.identifiers)
    return Status(201, {"added": added, "hits": len(outcome.hits)})


class BulkError(Schema):
    line: int
    field: str
    message: str


class BulkReport(Schema):
    received: int
    created: int
    unchanged: int
    rejected: int
    invalid: int
    batches_written: int
    batches_refused: int
    identifiers: int
    hits: int
    errors: list[BulkError]
    error_count: int
    truncated: bool
    detail: str = ""
    retry_after: int | None = None


_NDJSON_TYPES = {"application/x-ndjson", "application/jsonl", "application/json"}


@router.post(
    "/bulk",
    response={200: BulkReport, 422: BulkReport, 429: BulkReport},
    summary="Ingest cases in bulk: one JSON case per line (NDJSON), streamed, idempotent by external_reference",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}
    },
)
def ingest_cases(request):
    """Each line is a case as for ``POST /cases/`` with an ``external_reference``. Batches of 1,000 lines are written
    all or nothing; 200 when every line was written or already there, 422 (with every error by line) otherwise, 429
    with ``Retry-After`` when the hourly recording allowance ran out (the lines before were written; send the same
    body again then)."""
    from django.utils.translation import gettext as _
    from ninja.errors import HttpError

    from lintas.cases.ingest import ingest_rows, read_ndjson

    if request.content_type not in _NDJSON_TYPES:
        raise HttpError(415, _("Send the cases as application/x-ndjson: one JSON object per line."))
    # ingest_rows checks the case-writing role before it reads a line: a refusal is 403, audited.
    report = ingest_rows(request.user, read_ndjson(request, parse=False))
    if report.retry_after is not None:
        from lintas.api import api

        response = api.create_response(request, report.as_dict(), status=429)
        response["Retry-After"] = str(report.retry_after)
        return response
    return Status(200 if report.ok else 422, report.as_dict())


class ImportOut(Schema):
    id: int
    status: str
    bytes: int = Field(..., alias="size")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    report: dict[str, Any]
    error: str


@router.post(
    "/imports",
    response={202: ImportOut},
    summary="Queue a bulk import of any size: the NDJSON body of /cases/bulk, ingested by a job",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}
    },
)
def queue_import(request):
    """The body is stored as it arrives and ingested by a job with the rules of ``POST /cases/bulk``; poll
    ``GET /cases/imports/{id}`` for its status and report (updated after every batch)."""
    from django.utils.translation import gettext as _
    from ninja.errors import HttpError

    services.check_case_writer(request.user)
    if request.content_type not in _NDJSON_TYPES:
        raise HttpError(415, _("Send the cases as application/x-ndjson: one JSON object per line."))
    job = services.queue_import(request.user, request)
    return Status(202, BulkImport.objects.get(pk=job.pk))


@router.get("/imports", response=list[ImportOut], summary="My agency's bulk imports, newest first")
@paginate(LimitOffsetPagination)
def list_imports(request):
    return BulkImport.objects.visible_to(request.user)


@router.get("/imports/{int:import_id}", response=ImportOut, summary="A bulk import's status and report (audited)")
def get_import(request, import_id: Id):
    job = get_visible_or_404(BulkImport.objects.all(), request.user, pk=import_id)
    record_event(Action.IMPORT_VIEWED, actor=request.user, target=job, details={"status": job.status})
    return job
