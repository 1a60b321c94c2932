"""Programmes API: editions with their agenda, the organisers' writes, the agenda as iCalendar.

Reads go through ``Edition.objects.visible_to`` (404 for what one may not see); writes through the services, which
check every value with ``lintas.core.validation`` as the forms do.
"""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lintas.agencies.models import Agency
from lintas.core.access import get_visible_or_404
from lintas.core.api_input import Id
from lintas.programmes import ical, services
from lintas.programmes.models import Attendance, Edition, Expert, Nomination, Programme

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


# --- Seats, nominations, attendance, my agenda (decision 0040) -------------------------------------------------------


def _edition(request, edition_id):
    return get_visible_or_404(Edition.objects.select_related("programme", "host_agency"), request.user, pk=edition_id)


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
    if not edition.organised_by(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only the programme's organisers may do this.")
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
    present: bool = True


class ImportReportOut(Schema):
    rows: int
    matched: int
    recorded: int
    unchanged: int
    skipped: list[dict]


def _organiser_of(request, edition) -> None:
    from django.core.exceptions import PermissionDenied

    if not edition.organised_by(request.user):
        raise PermissionDenied("Only the programme's organisers may do this.")


_REFUSED_TO_OTHERS = {  # a read the edition's organisers alone may make: others who see the edition get 403
    "responses": {
        403: {
            "description": "Not an organiser of this edition",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    }
}


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
