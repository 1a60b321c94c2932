"""Programmes API: editions with their agenda, the organisers' writes, the agenda as iCalendar.

Reads go through ``Edition.objects.visible_to`` (404 for what one may not see); writes through the services, which
check every value with ``lintas.core.validation`` as the forms do.
"""

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import StrictBool

from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event, record_read
from lintas.core.access import get_visible_or_404
from lintas.core.api_input import Id
from lintas.programmes import feedback, ical, materials, report, services
from lintas.programmes.guards import edition_or_404, require_organiser, require_report_reader
from lintas.programmes.models import Attendance, Certificate, Edition, Expert, Nomination, Programme, ProgrammeSession

__all__ = ["router"]

router = Router()

# Lists in bodies are bounded: each id or code becomes a parameter of one query, and SQLite refuses more than 32,766.
MAX_AGENCIES = 50
MAX_PEOPLE = 50

_REFUSED_TO_OTHERS = {  # a read for some of those who see the edition: others get 403
    "responses": {
        403: {
            "description": "Not an organiser of this edition",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    }
}


def _edition(request, edition_id) -> Edition:
    return edition_or_404(request.user, edition_id)


def _organiser_of(request, edition, *, hidden: bool = False) -> None:
    """Organisers only (403, or 404 with ``hidden``); the API's PermissionDenied handler records the refusal."""
    require_organiser(request.user, edition, hidden=hidden, audit=False)


class ExpertRoleOut(Schema):
    role: str
    name: str = Field(..., alias="expert.name")
    title: str = Field(..., alias="expert.title")
    organisation: str = Field(..., alias="expert.organisation")


class SessionOut(Schema):
    id: int
    kind: str
    topic: str
    description: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    online: bool
    language: str
    interpretation: str
    people: list[ExpertRoleOut] = Field(..., alias="roles")

    @staticmethod
    def resolve_people(obj):
        return list(obj.roles.all())


class EditionSummary(Schema):
    id: int
    programme: str = Field(..., alias="programme.name")
    number: int
    title: str
    theme: str
    host_agency: str = Field(..., alias="host_agency.code")
    starts_on: dt.date
    ends_on: dt.date
    time_zone: str
    status: str


class EditionOut(EditionSummary):
    aims: str
    co_organisers: list[str]
    venue: str
    address: str
    online_link: str
    languages: list[str]
    sessions: list[SessionOut]

    @staticmethod
    def resolve_co_organisers(obj):
        return [agency.code for agency in obj.co_organisers.all()]

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.all())


def _full(queryset):
    return queryset.select_related("programme", "host_agency").prefetch_related(
        "co_organisers", "sessions__roles__expert"
    )


def _agencies(codes: list[str]) -> list[Agency]:
    found = {agency.code: agency for agency in Agency.objects.filter(code__in=codes)}
    missing = sorted(set(codes) - set(found))
    if missing:
        from django.core.exceptions import ValidationError

        raise ValidationError({"co_organisers": [f"Unknown agency: {code}" for code in missing]})
    return list(found.values())


class ProgrammeOut(Schema):
    id: int
    name: str
    description: str
    coordinating_agency: str = Field(..., alias="coordinating_agency.code")


class ProgrammeIn(Schema):
    name: str = Field(..., description="Unique, e.g. Korea-ASEAN International Crime Capacity Building Programme")
    description: str = ""


@router.get("/programmes", response=list[ProgrammeOut], summary="Every programme (community data)")
def list_programmes(request):
    return Programme.objects.select_related("coordinating_agency").order_by("name")


@router.post(
    "/programmes", response={201: ProgrammeOut}, summary="Start a programme (the Secretariat's programme organisers)"
)
def create_programme(request, payload: ProgrammeIn):
    programme = services.create_programme(request.user, **payload.dict())
    return Status(201, Programme.objects.select_related("coordinating_agency").get(pk=programme.pk))


@router.get("/editions", response=list[EditionSummary], summary="Programme editions you may see")
def list_editions(request):
    return Edition.objects.visible_to(request.user).select_related("programme", "host_agency")


@router.get("/editions/{edition_id}", response=EditionOut, summary="One edition with its agenda")
def get_edition(request, edition_id: Id):
    return get_visible_or_404(_full(Edition.objects.all()), request.user, pk=edition_id)


class EditionIn(Schema):
    programme: str = Field(..., description="The programme's name")
    host_agency: str = Field(..., description="The host agency's code, e.g. knpa")
    co_organisers: list[str] = Field(default_factory=list, max_length=MAX_AGENCIES, description="Agency codes")
    title: str
    theme: str = ""
    aims: str = ""
    starts_on: str = Field(..., description="YYYY-MM-DD")
    ends_on: str = Field(..., description="YYYY-MM-DD")
    venue: str = ""
    address: str = ""
    online_link: str = ""
    time_zone: str = "UTC"
    languages: list[str] = Field(default_factory=list, max_length=20)
    status: str = "planning"


@router.post(
    "/editions", response={201: EditionOut}, summary="Create an edition (organisers of the host or the Secretariat)"
)
def create_edition(request, payload: EditionIn):
    data = payload.dict()
    programme = get_object_or_404(Programme, name=data.pop("programme"))
    host = get_object_or_404(Agency, code=data.pop("host_agency"))
    co_organisers = _agencies(data.pop("co_organisers"))
    edition = services.create_edition(request.user, programme, host_agency=host, co_organisers=co_organisers, **data)
    return Status(201, _full(Edition.objects.filter(pk=edition.pk)).get())


class EditionPatch(Schema):
    co_organisers: list[str] | None = Field(None, max_length=MAX_AGENCIES)
    title: str | None = None
    theme: str | None = None
    aims: str | None = None
    starts_on: str | None = None
    ends_on: str | None = None
    venue: str | None = None
    address: str | None = None
    online_link: str | None = None
    time_zone: str | None = None
    languages: list[str] | None = None
    status: str | None = None


@router.patch("/editions/{edition_id}", response=EditionOut, summary="Change an edition (its organisers)")
def update_edition(request, edition_id: Id, payload: EditionPatch):
    edition = _edition(request, edition_id)
    data = payload.dict(exclude_unset=True)
    codes = data.pop("co_organisers", None)
    services.update_edition(
        request.user, edition, co_organisers=_agencies(codes) if codes is not None else None, **data
    )
    return _full(Edition.objects.filter(pk=edition.pk)).get()


class PersonIn(Schema):
    expert: Id = Field(..., description="An expert directory entry's id")
    role: str = Field(..., description="moderator, speaker or panellist")


class SessionIn(Schema):
    kind: str
    topic: str
    description: str = ""
    starts_at: str = Field(..., description="ISO 8601; without an offset, in the edition's time zone")
    ends_at: str = Field(..., description="ISO 8601; without an offset, in the edition's time zone")
    room: str = ""
    online: bool = False
    language: str = ""
    interpretation: str = ""
    people: list[PersonIn] = Field(default_factory=list, max_length=MAX_PEOPLE)


class SessionPatch(Schema):
    kind: str | None = None
    topic: str | None = None
    description: str | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    room: str | None = None
    online: bool | None = None
    language: str | None = None
    interpretation: str | None = None
    people: list[PersonIn] | None = Field(None, max_length=MAX_PEOPLE)


def _people(people) -> list:
    """``people`` as (Expert, role) pairs; an unknown expert is refused as invalid input (422), naming the field."""
    from django.core.exceptions import ValidationError

    experts = Expert.objects.in_bulk([p["expert"] for p in people])
    missing = [p["expert"] for p in people if p["expert"] not in experts]
    if missing:
        raise ValidationError({"people": [f"Unknown expert: {pk}" for pk in missing]})
    return [(experts[p["expert"]], p["role"]) for p in people]


@router.post("/editions/{edition_id}/sessions", response={201: SessionOut}, summary="Add a session (organisers)")
def add_session(request, edition_id: Id, payload: SessionIn):
    edition = _edition(request, edition_id)
    data = payload.dict()
    session = services.add_session(request.user, edition, experts=_people(data.pop("people")), **data)
    return Status(201, _session_out(session))


@router.patch(
    "/editions/{edition_id}/sessions/{session_id}", response=SessionOut, summary="Change a session (organisers)"
)
def update_session(request, edition_id: Id, session_id: Id, payload: SessionPatch):
    edition = _edition(request, edition_id)
    session = get_object_or_404(edition.sessions, pk=session_id)
    data = payload.dict(exclude_unset=True)
    people = data.pop("people", None)
    session = services.update_session(
        request.user, session, experts=_people(people) if people is not None else None, **data
    )
    return _session_out(session)


def _session_out(session) -> ProgrammeSession:
    """The session as answered: its people in one query, not one per role."""
    return ProgrammeSession.objects.prefetch_related("roles__expert").get(pk=session.pk)


@router.get(
    "/editions/{edition_id}/agenda.ics",
    summary="The edition's agenda as iCalendar (RFC 5545)",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}}},
)
def agenda_ics(request, edition_id: Id):
    from lintas.programmes.views import calendar_events

    edition = _edition(request, edition_id)
    body = ical.calendar(edition.title, calendar_events(edition), stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="edition-{edition.pk}.ics"'
    return response


# --- Certificates, the post-programme report, its public summary and cooperation after it (decision 0042) ----------


class CertificateOut(Schema):
    id: int
    nomination: int = Field(..., alias="nomination_id")
    name: str = Field(..., alias="nomination.name")
    agency: str = Field(..., alias="nomination.agency.code")
    code: str = Field(..., alias="display_code", description="The verification code as printed (XXXX-XXXX-XXXX)")
    status: str = Field(..., description="valid or revoked")
    issued_at: dt.datetime
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_status(obj):
        return "valid" if obj.revoked_at is None else "revoked"


class CertificatesIn(Schema):
    nominations: list[Id] | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="Nomination ids of this edition; omitted or null: every confirmed participant who qualifies",
    )


def _certificates(edition, user):
    return (
        Certificate.objects.visible_to(user)
        .filter(nomination__edition=edition)
        .select_related("nomination__agency")
        .order_by("nomination__agency__code", "nomination__name", "pk")
    )


@router.get(
    "/editions/{edition_id}/certificates",
    response=list[CertificateOut],
    summary="Certificates of an edition you may see",
    description="Organisers see every certificate of the edition; a participant their own; an agency admin their "
    "officers'.",
)
def list_certificates(request, edition_id: Id):
    edition = _edition(request, edition_id)
    return list(_certificates(edition, request.user))


@router.post(
    "/editions/{edition_id}/certificates",
    response={201: list[CertificateOut]},
    summary="Issue certificates of participation (organisers)",
    description="To the nominations named, or to every confirmed participant who attended enough sessions (by "
    "default at least one). Those holding a valid certificate keep it; answers the certificates issued now.",
)
def issue_certificates(request, edition_id: Id, payload: CertificatesIn):
    from lintas.core.access import visible_or_invalid

    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    nominations = None
    if payload.nominations is not None:
        nominations = visible_or_invalid(
            Nomination.objects.filter(edition=edition),
            request.user,
            payload.nominations,
            field="nominations",
            message=_("Name participants of this edition only."),
        )
    issued = services.issue_certificates(request.user, edition, nominations)
    return Status(
        201, list(Certificate.objects.filter(pk__in=[c.pk for c in issued]).select_related("nomination__agency"))
    )


@router.post(
    "/editions/{edition_id}/certificates/{certificate_id}/revoke",
    response=CertificateOut,
    summary="Revoke a certificate (organisers)",
    description="Its public verification page says revoked from now on.",
)
def revoke_certificate(request, edition_id: Id, certificate_id: Id):
    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    certificate = get_visible_or_404(
        Certificate.objects.filter(nomination__edition=edition), request.user, pk=certificate_id
    )
    services.revoke_certificate(request.user, certificate)
    return Certificate.objects.select_related("nomination__agency").get(pk=certificate.pk)


_PDF = {"responses": {200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


@router.get(
    "/editions/{edition_id}/certificates/{certificate_id}/pdf",
    response={200: str},
    summary="A certificate of participation as PDF",
    description="The participant's own, or any for the organisers; a revoked certificate answers 404. Audited.",
    openapi_extra=_PDF,
)
def certificate_pdf(request, edition_id: Id, certificate_id: Id):
    from lintas.programmes.views import certificate_pdf_response, visible_certificate

    edition = _edition(request, edition_id)
    return certificate_pdf_response(request, visible_certificate(request, edition, certificate_id))


class AgencyTakingPartOut(Schema):
    code: str
    short_name: str
    name: str
    country: str
    on_site: int
    online: int


class ExpertNameOut(Schema):
    name: str
    title: str
    organisation: str


class SessionExpertOut(ExpertNameOut):
    role: str


class ReportSessionOut(Schema):
    id: int
    kind: str
    topic: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    online: bool
    experts: list[SessionExpertOut]


class SessionAttendanceOut(Schema):
    id: int
    topic: str
    kind: str
    starts_at: dt.datetime
    present: int
    rate: float | None


class AgencyAttendanceOut(Schema):
    code: str
    short_name: str
    participants: int
    present: int
    possible: int
    rate: float | None


class ReportAttendanceOut(Schema):
    participants: int
    sessions_count: int
    present: int
    possible: int = Field(..., description="Participants times sessions")
    rate: float | None = Field(..., description="0 to 1; null when there is nothing to divide by")
    sessions: list[SessionAttendanceOut]
    agencies: list[AgencyAttendanceOut]


class SessionRatingOut(Schema):
    id: int
    topic: str
    ratings: int
    average: float | None


class MostUsefulOut(Schema):
    id: int
    topic: str
    votes: int


class ReportFeedbackOut(Schema):
    responses: int
    participants: int
    response_rate: float | None
    overall_average: float | None
    overall_distribution: dict[str, int] = Field(..., description="Answers per overall rating, 1 to 5")
    sessions: list[SessionRatingOut]
    most_useful: list[MostUsefulOut]
    topics_wanted: list[str]


class ReportCountsOut(Schema):
    participants: int
    on_site: int
    online: int
    agencies: int
    sessions: int
    experts: int


class ReportOut(Schema):
    edition: int
    title: str
    outcomes: str
    reception: str
    next_edition_plan: str
    public_parts: list[str] = Field(..., description="Parts the public summary shows (see PATCH)")
    published_at: dt.datetime | None
    public_url: str | None = Field(..., description="The public summary's address, once published")
    counts: ReportCountsOut
    agencies: list[AgencyTakingPartOut]
    sessions: list[ReportSessionOut]
    experts: list[ExpertNameOut]
    attendance: ReportAttendanceOut
    feedback: ReportFeedbackOut
    certificates: dict[str, int] = Field(..., description="issued and revoked")


def _report_out(request, edition) -> dict:
    context = report.report_context(edition)
    saved = context["report"]
    feedback = dict(context["feedback"])
    feedback["overall_distribution"] = {str(k): v for k, v in feedback["overall_distribution"].items()}
    return {
        "edition": edition.pk,
        "title": edition.title,
        "outcomes": saved.outcomes,
        "reception": saved.reception,
        "next_edition_plan": saved.next_edition_plan,
        "public_parts": list(saved.public_parts or []),
        "published_at": saved.published_at,
        "public_url": request.build_absolute_uri(reverse("programmes_public:summary", args=[edition.pk]))
        if saved.published_at
        else None,
        "counts": context["counts"],
        "agencies": context["agencies"],
        "sessions": context["sessions"],
        "experts": context["experts"],
        "attendance": context["attendance"],
        "feedback": feedback,
        "certificates": context["certificates"],
    }


def _viewed(request, edition, how: str) -> None:
    record_event(
        Action.REPORT_VIEWED, actor=request.user, target=edition, agency=edition.host_agency, details={"as": how}
    )


@router.get(
    "/editions/{edition_id}/report",
    response=ReportOut,
    summary="The post-programme report",
    openapi_extra=_REFUSED_TO_OTHERS,
    description="Built from what Lintas recorded (agencies, sessions and experts, attendance, feedback) and the "
    "organisers' texts. For the organisers and the users of the host and the coordinating agency. Audited.",
)
def get_report(request, edition_id: Id):
    edition = _edition(request, edition_id)
    require_report_reader(request.user, edition, audit=False)
    out = _report_out(request, edition)
    _viewed(request, edition, "api")
    return out


class ReportPatch(Schema):
    outcomes: str | None = None
    reception: str | None = None
    next_edition_plan: str | None = None
    public_parts: list[str] | None = Field(
        None,
        max_length=len(report.PUBLIC_PARTS),
        description="What the public summary shows besides title, dates and host: any of "
        + ", ".join(report.PUBLIC_PARTS),
    )


@router.patch(
    "/editions/{edition_id}/report",
    response=ReportOut,
    summary="Change the report's texts and public parts (organisers)",
)
def update_report(request, edition_id: Id, payload: ReportPatch):
    edition = _edition(request, edition_id)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.update_report(request.user, edition, **data)
    return _report_out(request, edition)


class PublishIn(Schema):
    published: StrictBool = Field(..., description="true publishes the public summary; false withdraws it")


@router.post(
    "/editions/{edition_id}/report/publish",
    response=ReportOut,
    summary="Publish or withdraw the public summary (organisers)",
    description="Publishing needs a completed edition. The summary is then reachable without signing in.",
)
def publish_report(request, edition_id: Id, payload: PublishIn):
    edition = _edition(request, edition_id)
    services.publish_report(request.user, edition, published=payload.published)
    return _report_out(request, edition)


@router.get(
    "/editions/{edition_id}/report.pdf",
    response={200: str},
    summary="The post-programme report as PDF",
    description="The same readers as the report. Audited.",
    openapi_extra={"responses": {**_PDF["responses"], **_REFUSED_TO_OTHERS["responses"]}},
)
def report_pdf(request, edition_id: Id):
    from lintas.core.pdf import render_pdf
    from lintas.programmes.views import _report_page_context

    edition = _edition(request, edition_id)
    require_report_reader(request.user, edition, audit=False)
    body = render_pdf("programmes/report_pdf.html", _report_page_context(request, edition), request=request)
    _viewed(request, edition, "pdf")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-edition-{edition.pk}.pdf"'
    return response


class PublicSessionOut(Schema):
    kind_label: str
    topic: str


class PublicAgenciesOut(Schema):
    on_site: list[str]
    online: list[str]


class PublicCountsOut(Schema):
    participants: int
    agencies: int
    sessions: int


class PublicSummaryOut(Schema):
    title: str
    programme: str
    number: int
    starts_on: dt.date
    ends_on: dt.date
    host: str
    venue: str
    parts: list[str] = Field(..., description="The parts the organisers ticked; only those appear below")
    theme: str | None = None
    agencies: PublicAgenciesOut | None = None
    experts: list[ExpertNameOut] | None = None
    sessions: list[PublicSessionOut] | None = None
    reception: str | None = None
    counts: PublicCountsOut | None = None
    next_edition: str | None = None
    text: str = Field(..., description="The same as plain text, for a news item")


@router.get(
    "/public/editions/{edition_id}/summary",
    response=PublicSummaryOut,
    auth=None,
    summary="The public summary of an edition (no sign-in; once published)",
    description="Only the parts the organisers ticked; 404 until published. Rate-limited per address (429).",
)
def get_public_summary(request, edition_id: Id):
    from ninja.errors import HttpError

    from lintas.programmes import throttle
    from lintas.programmes.views import published_summary

    allowed, _retry = throttle.allow(request, "summary")
    if not allowed:
        raise HttpError(429, _("Too many requests from your address. Try again in a minute."))
    published = published_summary(edition_id)
    if published is None:
        raise Http404
    summary = report.public_summary(published.edition, published)
    return {**summary, "text": report.summary_text(summary)}


class CooperationCellOut(Schema):
    requests: int | None
    answered: int | None
    median_hours: float | None = Field(..., description="From sending to the answer; null when none or suppressed")
    hits: int | None
    frozen: dict[str, str] | None = Field(..., description="Amount by currency")
    returned: dict[str, str] | None
    suppressed: list[str] = Field(..., description="Figures not shown because they rest on too few rows")


class CooperationPairOut(Schema):
    codes: list[str]
    names: list[str]
    party: bool = Field(..., description="Your agency is one of the two")
    before: CooperationCellOut
    after: CooperationCellOut


class PeriodOut(Schema):
    start: dt.datetime
    end: dt.datetime


class AgencyCodeOut(Schema):
    code: str
    short_name: str


class CooperationOut(Schema):
    agencies: list[AgencyCodeOut]
    min_count: int
    periods: dict[str, PeriodOut]
    totals: dict[str, CooperationCellOut]
    pairs: list[CooperationPairOut]


@router.get(
    "/editions/{edition_id}/cooperation",
    response=CooperationOut,
    summary="Cooperation between the edition's agencies, 12 months before and after (organisers)",
    openapi_extra=_REFUSED_TO_OTHERS,
    description="Counts of requests (answered, median hours), hits and amounts frozen and returned between the "
    "participating agencies; figures resting on fewer than min_count rows of other agencies are null. Audited.",
)
def get_cooperation(request, edition_id: Id):
    from lintas.programmes.cooperation import cooperation

    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    figures = cooperation(edition, request.user.agency_id)
    _viewed(request, edition, "cooperation")
    return figures


# --- Materials and the feedback survey (issue 16 items 4 and 5; decision 0041) --------------------------------------


class MaterialOut(Schema):
    id: int
    session: int = Field(..., alias="session_id", description="The session's id")
    kind: str = Field(..., description="slides, paper, recording or other")
    title: str
    language: str
    tlp: str = Field(..., description="Handling: clear, green, amber, amber+strict or red")
    original_name: str = Field(..., description="The uploaded file's name; empty for a link")
    content_type: str = Field(..., description="The type checked from the content at upload")
    size: int
    sha256: str
    link: str = Field(..., description="A recording's link instead of a file; empty for a file")
    uploaded_at: dt.datetime


def _edition_for_materials(request, edition_id) -> Edition:
    edition = _edition(request, edition_id)
    if not materials.can_read_materials(request.user, edition):
        raise Http404
    return edition


@router.get(
    "/editions/{edition_id}/materials",
    response=list[MaterialOut],
    summary="Materials of an edition",
    description="Slides, papers and recordings by session. For the edition's confirmed participants and organisers "
    "(all materials) and its sessions' experts (their sessions'); 404 for everyone else.",
)
def list_materials(request, edition_id: Id):
    edition = _edition_for_materials(request, edition_id)
    return materials.materials_visible_to(request.user, edition)


class MaterialIn(Schema):
    # An empty form field is no field at all to the form parser: the schema says these have content.
    kind: str = Field(..., min_length=1, description="slides, paper, recording or other")
    title: str = Field(..., min_length=1)
    language: str = Field("", description="A language code such as en, ko or th")
    tlp: str = Field("green", description="Handling: clear, green, amber, amber+strict or red")
    link: str = Field("", description="A recording's https:// link instead of a file")


@router.post(
    "/editions/{edition_id}/sessions/{session_id}/materials",
    response={201: MaterialOut},
    summary="Add a material to a session (multipart)",
    description="A file (`file`: PDF, PNG, JPEG, WebP, DOCX, XLSX or plain text, checked from its content, SHA-256 "
    "kept) or, for a recording, a `link`. The edition's organisers and the session's experts who are Lintas users.",
)
def add_material(request, edition_id: Id, session_id: Id, fields: Form[MaterialIn], file: File[UploadedFile] = None):
    edition = _edition_for_materials(request, edition_id)
    session = get_object_or_404(edition.sessions, pk=session_id)
    return Status(201, services.add_material(request.user, session, upload=file, **fields.dict()))


@router.get(
    "/editions/{edition_id}/materials/{material_id}/file",
    summary="Download a material",
    description="The file as an attachment (its checked type, `X-Content-Type-Options: nosniff`), or a redirect to "
    "a recording's link. Every download is audited.",
    response={200: str, 302: None},
    openapi_extra={
        "responses": {
            200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
            302: {"description": "A recording kept as a link: its address in Location"},
        }
    },
)
def download_material(request, edition_id: Id, material_id: Id):
    edition = _edition(request, edition_id)
    material = materials.get_material_or_404(request.user, edition, material_id)
    return materials.material_response(material, actor=request.user)


@router.delete(
    "/editions/{edition_id}/materials/{material_id}",
    response={204: None},
    summary="Remove a material (organisers, or whoever uploaded it)",
)
def remove_material(request, edition_id: Id, material_id: Id):
    edition = _edition(request, edition_id)
    material = materials.get_material_or_404(request.user, edition, material_id)
    services.remove_material(request.user, material)
    return Status(204, None)


class RateableSession(Schema):
    id: int
    topic: str
    starts_at: dt.datetime


class SurveyOut(Schema):
    introduction: str
    is_open: bool
    answered: bool | None = Field(None, description="For a participant: whether they have answered (else null)")
    sessions: list[RateableSession] = Field(
        default_factory=list, description="For a participant: the sessions they may rate"
    )


class SurveyPatch(Schema):
    introduction: str | None = None
    is_open: StrictBool | None = None


def _survey_out(survey, nomination=None) -> dict:
    return {
        "introduction": survey.introduction if survey else "",
        "is_open": bool(survey and survey.is_open),
        "answered": feedback.has_answered(nomination) if nomination is not None else None,
        "sessions": list(feedback.rateable_sessions(nomination)) if nomination is not None else [],
    }


@router.get(
    "/editions/{edition_id}/survey",
    response=SurveyOut,
    summary="The edition's feedback survey",
    description="For its organisers and confirmed participants (who also get the sessions they may rate and whether "
    "they have answered); 404 for everyone else.",
)
def get_survey(request, edition_id: Id):
    edition = _edition(request, edition_id)
    nomination = feedback.participation(request.user, edition)
    if nomination is None and not edition.organised_by(request.user):
        raise Http404
    return _survey_out(feedback.survey_of(edition), nomination)


@router.patch(
    "/editions/{edition_id}/survey",
    response=SurveyOut,
    summary="Change, open or close the survey (organisers)",
)
def update_survey(request, edition_id: Id, payload: SurveyPatch):
    edition = _edition(request, edition_id)
    survey = services.update_survey(request.user, edition, **payload.dict(exclude_unset=True))
    return _survey_out(survey)


class RatingIn(Schema):
    session: Id = Field(..., description="A session of the edition you could attend")
    rating: int = Field(..., ge=1, le=5)


class FeedbackIn(Schema):
    overall_rating: int = Field(..., ge=1, le=5)
    ratings: list[RatingIn] = Field(default_factory=list, max_length=200, description="Skip sessions you missed")
    most_useful: Id | None = Field(None, description="The most useful session's id")
    comments: str = ""
    topics_wanted: str = Field("", description="Topics you would like next year")


class FeedbackReceiptOut(Schema):
    answered_on: dt.date


@router.post(
    "/editions/{edition_id}/feedback",
    response={201: FeedbackReceiptOut},
    summary="Answer the survey (confirmed participants, once)",
    description="Stored anonymously, in the language of the request (Accept-Language or your profile). A second "
    "answer is refused (422), as is an answer while the survey is closed; 404 for anyone not a confirmed participant.",
)
def give_feedback(request, edition_id: Id, payload: FeedbackIn):
    edition = _edition(request, edition_id)
    if feedback.participation(request.user, edition) is None:
        raise Http404
    data = payload.dict()
    receipt = services.give_feedback(
        request.user,
        edition,
        overall_rating=data["overall_rating"],
        ratings=[(r["session"], r["rating"]) for r in data["ratings"]],
        most_useful=data["most_useful"],
        comments=data["comments"],
        topics_wanted=data["topics_wanted"],
        language=get_language(),
    )
    return Status(201, receipt)


class RatingFigures(Schema):
    count: int
    average: float | None
    distribution: list[int] = Field(..., description="Counts of ratings 1 to 5")


class SessionFigures(RatingFigures):
    id: int
    topic: str
    kind: str
    starts_at: dt.datetime


class MostUseful(Schema):
    id: int
    topic: str
    count: int


class FeedbackResultsOut(Schema):
    survey: dict[str, bool]
    participants: int
    responses: int
    response_rate: float | None = Field(..., description="Answers / confirmed participants, 0 to 1")
    overall: RatingFigures
    sessions: list[SessionFigures]
    most_useful: list[MostUseful]
    comments: list[str] = Field(..., description="Ordered by their text, never by when they were given")
    topics_wanted: list[str]
    languages: dict[str, int]


@router.get(
    "/editions/{edition_id}/feedback/results",
    response=FeedbackResultsOut,
    summary="The survey's results (organisers)",
    description="Counts, averages and distributions per session and overall, most useful, comments, topics wanted, "
    "response rate. 404 for everyone but the edition's organisers. Audited.",
)
def feedback_results(request, edition_id: Id):
    edition = _edition(request, edition_id)
    _organiser_of(request, edition, hidden=True)  # the survey's results exist for its organisers only
    summary = feedback.feedback_summary(edition)
    record_read(Action.FEEDBACK_VIEWED, actor=request.user, target=edition, details={"responses": summary["responses"]})
    return summary


# --- Seats, nominations, attendance, my agenda (decision 0040) -------------------------------------------------------


class SeatOut(Schema):
    agency: str = Field(..., alias="agency.code")
    mode: str
    seats: int


class SeatIn(Schema):
    agency: str = Field(..., description="The agency's code, e.g. rmp")
    mode: str = Field(..., description="on_site or online")
    seats: int = Field(..., ge=0, le=services.SEAT_CAP)


class SeatsIn(Schema):
    seats: list[SeatIn] = Field(
        ..., max_length=200, description="Every allocation: agencies and modes not listed get none"
    )


@router.get(
    "/editions/{edition_id}/seats",
    response=list[SeatOut],
    summary="Seats per agency and mode",
    description="Everyone who may read the edition reads its seats.",
)
def list_seats(request, edition_id: Id):
    return _edition(request, edition_id).seats.select_related("agency")


@router.put(
    "/editions/{edition_id}/seats",
    response=list[SeatOut],
    summary="Set the seats per agency and mode (organisers)",
    description="Replaces every allocation of the edition. Refused (422) below the nominations already confirmed "
    "for an agency and mode.",
)
def put_seats(request, edition_id: Id, payload: SeatsIn):
    from django.core.exceptions import ValidationError

    edition = _edition(request, edition_id)
    rows = payload.dict()["seats"]
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[row["agency"] for row in rows])}
    missing = sorted({row["agency"] for row in rows} - set(agencies))
    if missing and edition.organised_by(request.user):
        raise ValidationError({"seats": [f"Unknown agency: {code}" for code in missing]})
    allocations = [(agencies[r["agency"]], r["mode"], r["seats"]) for r in rows if r["agency"] in agencies]
    services.set_seats(request.user, edition, allocations)
    return edition.seats.select_related("agency")


class NominationOut(Schema):
    id: int
    edition: int = Field(..., alias="edition_id")
    agency: str = Field(..., alias="agency.code")
    mode: str
    user: int | None = Field(None, alias="user_id")
    name: str
    rank: str
    unit: str
    email: str
    language: str
    status: str
    note: str
    nominated_at: dt.datetime
    decided_at: dt.datetime | None


class NominationIn(Schema):
    mode: str = Field(..., description="on_site or online")
    user: Id | None = Field(None, description="A Lintas user of your own agency; or leave out and give a name")
    name: str = Field("", description="Required without a user")
    rank: str = ""
    unit: str = ""
    email: str = ""
    language: str = ""


class DecisionIn(Schema):
    nomination_ids: list[Id] = Field(..., min_length=1, max_length=500)
    decision: str = Field(..., description="confirmed, wait_listed or declined")
    note: str = ""


def _nominations(request, edition):
    return Nomination.objects.visible_to(request.user).filter(edition=edition).select_related("agency")


@router.get(
    "/editions/{edition_id}/nominations",
    response=list[NominationOut],
    summary="Nominations you may see",
    description="The edition's organisers see all; an agency admin their own agency's; a nominee their own. "
    "Filters: agency (code), mode, status.",
)
def list_nominations(request, edition_id: Id, agency: str = "", mode: str = "", status: str = ""):
    rows = _nominations(request, _edition(request, edition_id))
    if agency:
        rows = rows.filter(agency__code=agency)
    if mode:
        rows = rows.filter(mode=mode)
    if status:
        rows = rows.filter(status=status)
    return rows


@router.post(
    "/editions/{edition_id}/nominations",
    response={201: NominationOut},
    summary="Nominate an officer of your own agency (agency admins)",
    description="While the edition is open for nominations (its organisers at any time). A user must belong to your "
    "agency; a person without an account needs a name. More officers than seats may be nominated: the organisers "
    "confirm at most the seats.",
)
def create_nomination(request, edition_id: Id, payload: NominationIn):
    from lintas.accounts.models import User
    from lintas.core.access import visible_or_invalid

    edition = _edition(request, edition_id)
    data = payload.dict()
    user_id = data.pop("user")
    user = None
    if user_id is not None:
        mine = User.objects.filter(agency=request.user.agency_id)
        user = visible_or_invalid(mine, request.user, [user_id], field="user", message="Unknown user.")[0]
    return Status(201, services.nominate(request.user, edition, user=user, **data))


@router.post(
    "/editions/{edition_id}/nominations/decide",
    response=list[NominationOut],
    summary="Confirm, wait-list or decline nominations (organisers)",
    description="All or none: confirming beyond the seats of an agency and mode is refused (422) with the reason.",
)
def decide(request, edition_id: Id, payload: DecisionIn):
    from django.core.exceptions import ValidationError

    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    found = list(edition.nominations.filter(pk__in=payload.nomination_ids))
    if len(found) != len(set(payload.nomination_ids)):
        raise ValidationError({"nomination_ids": ["Unknown nomination."]})
    services.decide_nominations(request.user, edition, found, payload.decision, note=payload.note)
    return edition.nominations.filter(pk__in=payload.nomination_ids).select_related("agency")


@router.post(
    "/editions/{edition_id}/nominations/{nomination_id}/withdraw",
    response=NominationOut,
    summary="Withdraw a nomination (the nominating agency's admins)",
)
def withdraw(request, edition_id: Id, nomination_id: Id):
    edition = _edition(request, edition_id)
    nomination = get_visible_or_404(_nominations(request, edition), request.user, pk=nomination_id)
    return services.withdraw_nomination(request.user, nomination)


class AttendanceOut(Schema):
    nomination: int = Field(..., alias="nomination_id")
    session: int = Field(..., alias="session_id")
    present: bool
    source: str
    recorded_at: dt.datetime


class AttendanceRate(Schema):
    participants: int
    present: int
    possible: int
    rate: float | None


class SessionRate(Schema):
    id: int
    topic: str
    starts_at: dt.datetime
    expected: int
    present: int
    rate: float | None


class AgencyRate(AttendanceRate):
    agency: str
    agency_name: str
    mode: str


class AttendanceSummaryOut(Schema):
    participants: int
    sessions: list[SessionRate]
    agencies: list[AgencyRate]
    modes: dict[str, AttendanceRate]
    overall: AttendanceRate


class AttendanceListOut(Schema):
    records: list[AttendanceOut]
    summary: AttendanceSummaryOut


class AttendanceIn(Schema):
    session_id: Id
    nomination_ids: list[Id] = Field(..., min_length=1, max_length=500)
    present: StrictBool = True


class ImportReportOut(Schema):
    rows: int
    matched: int
    recorded: int
    unchanged: int
    skipped: list[dict]


@router.get(
    "/editions/{edition_id}/attendance",
    response=AttendanceListOut,
    summary="Attendance of an edition, with rates per session and agency (organisers)",
    description="Every record (present or absent, and its source: organiser, online_join, platform_export) and the "
    "rates of lintas.programmes.selectors.attendance_summary. Others who may read the edition get 403.",
    openapi_extra=_REFUSED_TO_OTHERS,
)
def list_attendance(request, edition_id: Id):
    from lintas.programmes.selectors import attendance_summary

    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    records = Attendance.objects.filter(session__edition=edition).order_by("session__starts_at", "nomination_id")
    return {"records": list(records), "summary": attendance_summary(edition)}


@router.post(
    "/editions/{edition_id}/attendance",
    response=AttendanceListOut,
    summary="Record attendance at a session (organisers)",
    description="Marks confirmed participants present (or absent with present=false) at one session of the edition.",
)
def record(request, edition_id: Id, payload: AttendanceIn):
    from django.core.exceptions import ValidationError

    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    session = edition.sessions.filter(pk=payload.session_id).first()
    if session is None:
        raise ValidationError({"session_id": ["Unknown session."]})
    found = list(edition.nominations.filter(pk__in=payload.nomination_ids))
    if len(found) != len(set(payload.nomination_ids)):
        raise ValidationError({"nomination_ids": ["Unknown nomination."]})
    services.record_attendance(request.user, session, found, payload.present)
    return list_attendance(request, edition_id)


@router.post(
    "/editions/{edition_id}/attendance/import",
    response=ImportReportOut,
    summary="Import the online platform's attendance export (multipart 'file'; organisers)",
    description="A Zoom, Teams or Webex participants export (CSV, UTF-8 or UTF-16, at most 2 MB), keyed by e-mail. "
    "Optional form fields: session (an id: every matched row attended it) and time_zone (of times without one; the "
    "edition's by default). All or nothing: a line that cannot be read imports nothing (422, lines named). "
    "Importing the same file again changes nothing.",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "properties": {
                            "file": {"type": "string", "format": "binary", "minLength": 1},
                            "session": {"type": "integer", "minimum": 1},
                            "time_zone": {"type": "string"},
                        },
                    }
                }
            }
        }
    },
)
def import_export(request, edition_id: Id, file: File[UploadedFile], session: Form[Id | None] = None,
                  time_zone: Form[str] = ""):  # fmt: skip
    from django.core.exceptions import ValidationError

    from lintas.programmes.attendance_csv import MAX_BYTES

    edition = _edition(request, edition_id)
    _organiser_of(request, edition)
    chosen = None
    if session is not None:
        chosen = edition.sessions.filter(pk=session).first()
        if chosen is None:
            raise ValidationError({"session": ["Unknown session."]})
    if file.size > MAX_BYTES:
        raise ValidationError({"file": [f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB."]})
    file.seek(0)  # the input guard has read it already
    return services.import_attendance(
        request.user, edition, file.read(), file_name=file.name or "", session=chosen, time_zone=time_zone or None
    )


@router.get(
    "/editions/{edition_id}/my-agenda.ics",
    summary="Your own agenda of an edition as iCalendar (confirmed participants)",
    description="404 unless you are a confirmed participant of the edition. The download is audited.",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}}},
)
def my_agenda_ics(request, edition_id: Id):
    from lintas.programmes.views import participant_calendar

    return participant_calendar(request, _edition(request, edition_id))
