"""Programmes API: editions with their agenda, the organisers' writes, the agenda as iCalendar.

Reads go through ``Edition.objects.visible_to`` (404 for what one may not see); writes through the services, which
check every value with ``lintas.core.validation`` as the forms do.
"""

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_read
from lintas.core.access import get_visible_or_404
from lintas.core.api_input import Id
from lintas.programmes import feedback, ical, materials, services
from lintas.programmes.models import Edition, Expert, Programme

__all__ = ["router"]

router = Router()


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
    co_organisers: list[str] = Field(default_factory=list, description="Agency codes")
    title: str
    theme: str = ""
    aims: str = ""
    starts_on: str = Field(..., description="YYYY-MM-DD")
    ends_on: str = Field(..., description="YYYY-MM-DD")
    venue: str = ""
    address: str = ""
    online_link: str = ""
    time_zone: str = "UTC"
    languages: list[str] = Field(default_factory=list)
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
    co_organisers: list[str] | None = None
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
    edition = get_visible_or_404(Edition.objects.all(), request.user, pk=edition_id)
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
    people: list[PersonIn] = Field(default_factory=list)


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
    people: list[PersonIn] | None = None


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
    edition = get_visible_or_404(Edition.objects.select_related("programme"), request.user, pk=edition_id)
    data = payload.dict()
    session = services.add_session(request.user, edition, experts=_people(data.pop("people")), **data)
    return Status(201, session)


@router.patch(
    "/editions/{edition_id}/sessions/{session_id}", response=SessionOut, summary="Change a session (organisers)"
)
def update_session(request, edition_id: Id, session_id: Id, payload: SessionPatch):
    edition = get_visible_or_404(Edition.objects.all(), request.user, pk=edition_id)
    session = get_object_or_404(edition.sessions, pk=session_id)
    data = payload.dict(exclude_unset=True)
    people = data.pop("people", None)
    return services.update_session(
        request.user, session, experts=_people(people) if people is not None else None, **data
    )


@router.get(
    "/editions/{edition_id}/agenda.ics",
    summary="The edition's agenda as iCalendar (RFC 5545)",
    response={200: str},
    openapi_extra={"responses": {200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}}},
)
def agenda_ics(request, edition_id: Id):
    from lintas.programmes.views import calendar_events

    edition = get_visible_or_404(Edition.objects.all(), request.user, pk=edition_id)
    body = ical.calendar(edition.title, calendar_events(edition), stamp=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="edition-{edition.pk}.ics"'
    return response


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


def _edition_of(request, edition_id) -> Edition:
    return get_visible_or_404(Edition.objects.select_related("programme", "host_agency"), request.user, pk=edition_id)


def _edition_for_materials(request, edition_id) -> Edition:
    edition = _edition_of(request, edition_id)
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
    edition = _edition_of(request, edition_id)
    material = materials.get_material_or_404(request.user, edition, material_id)
    return materials.material_response(material, actor=request.user)


@router.delete(
    "/editions/{edition_id}/materials/{material_id}",
    response={204: None},
    summary="Remove a material (organisers, or whoever uploaded it)",
)
def remove_material(request, edition_id: Id, material_id: Id):
    edition = _edition_of(request, edition_id)
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
    is_open: bool | None = None


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
    edition = get_visible_or_404(Edition.objects.select_related("programme"), request.user, pk=edition_id)
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
    edition = get_visible_or_404(Edition.objects.select_related("programme"), request.user, pk=edition_id)
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
    edition = get_visible_or_404(Edition.objects.select_related("host_agency"), request.user, pk=edition_id)
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
    edition = get_visible_or_404(Edition.objects.select_related("programme"), request.user, pk=edition_id)
    if not edition.organised_by(request.user):
        raise Http404
    summary = feedback.feedback_summary(edition)
    record_read(Action.FEEDBACK_VIEWED, actor=request.user, target=edition, details={"responses": summary["responses"]})
    return summary
