"""Member directory API."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import StrictBool

from lintas.agencies.models import Agency

__all__ = ["router"]

router = Router()


class AgencyOut(Schema):
    code: str
    short_name: str
    name: str
    kind: str
    country: str
    time_zone: str
    languages: list[str]
    contact_24_7: str
    is_active: bool


@router.get("/", response=list[AgencyOut], summary="List member agencies")
def list_agencies(request):
    return Agency.objects.all()


@router.get("/{code}", response=AgencyOut, summary="One member agency")
def get_agency(request, code: str):
    return get_object_or_404(Agency, code=code)


class AgencyPatch(Schema):
    name: str | None = None
    short_name: str | None = None
    is_active: StrictBool | None = None  # true or false, as documented: not 0 or "no"
    contact_24_7: str | None = None
    languages: list[str] | None = None
    time_zone: str | None = None


@router.patch("/{code}", response=AgencyOut, summary="Change a directory entry (own agency's admin, or platform admin)")
def update_agency(request, code: str, payload: AgencyPatch):
    from lintas.agencies.services import update_agency as update

    agency = get_object_or_404(Agency, code=code)
    return update(request.user, agency, **payload.dict(exclude_unset=True))


class DutyOfficerOut(Schema):
    username: str
    name: str
    position: int


class DutyShiftOut(Schema):
    id: int
    username: str
    name: str
    starts_at: datetime
    ends_at: datetime
    position: int


class DutyRosterOut(Schema):
    time_zone: str
    escalate_after_minutes: int
    on_duty: list[DutyOfficerOut]
    shifts: list[DutyShiftOut]


@router.get("/{code}/duty", response=DutyRosterOut, summary="Own agency's duty roster: on duty now and shifts to come")
def duty_roster(request, code: str):
    """Only the agency itself reads its roster (it names officers): any other agency's code answers 404 (decision
    0048). Shifts that have not ended, at most 200, in UTC."""
    from django.utils import timezone

    from lintas.agencies.models import DutyShift
    from lintas.agencies.selectors import on_duty, own_agency_or_404

    agency = own_agency_or_404(request.user, code)
    now = timezone.now()
    shifts = (
        DutyShift.objects.visible_to(request.user)
        .filter(agency=agency, ends_at__gt=now)
        .select_related("officer")
        .order_by("starts_at", "position", "pk")[:200]
    )

    def name(user) -> str:
        return user.get_full_name() or user.username

    return {
        "time_zone": agency.time_zone,
        "escalate_after_minutes": agency.escalate_after_minutes,
        "on_duty": [
            {"username": o.username, "name": name(o), "position": o.duty_position} for o in on_duty(agency, now)
        ],
        "shifts": [
            {
                "id": s.pk,
                "username": s.officer.username,
                "name": name(s.officer),
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "position": s.position,
            }
            for s in shifts
        ],
    }
