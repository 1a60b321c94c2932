"""Member directory API."""

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
