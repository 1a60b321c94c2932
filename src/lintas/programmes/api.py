"""Programmes API: editions with their agenda, the organisers' writes, the agenda as iCalendar.

Reads go through ``Edition.objects.visible_to`` (404 for what one may not see); writes through the services, which
check every value with ``lintas.core.validation`` as the forms do.
"""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from lintas.agencies.models import Agency
from lintas.core.access import get_visible_or_404
from lintas.core.api_input import Id
from lintas.programmes import ical, services
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
