"""Hits, lookup and benign lists. Hits are shown only through the hit/no-hit presenter."""

import dataclasses
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lintas.accounts.auth import read_auth
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import Case
from lintas.core.access import get_visible_or_404
from lintas.core.api_input import Id, LimitOffsetPagination
from lintas.core.paging import PresentedPage
from lintas.matching import services
from lintas.matching.models import BenignValue, Hit
from lintas.matching.presenters import present_hits

__all__ = ["router"]

router = Router()


class OtherSideOut(Schema):
    visible: bool
    holder: str
    recorded_month: str
    case_id: int | None = None
    reference: str = ""
    title: str = ""
    role: str = ""
    identifier: str = ""


class HitOut(Schema):
    id: int
    created_at: dt.datetime
    my_case_id: int
    my_reference: str
    my_identifier: str
    my_identifier_type: str
    other: OtherSideOut
    weak: bool = Field(False, description="Same handle, platform not stated (a bare @handle): a weak link.")


def _out(view) -> dict:
    data = dataclasses.asdict(view)
    if not view.other.visible:  # hit/no-hit: nothing but the holder and the month leaves the server
        data["other"] = {"visible": False, "holder": view.other.holder, "recorded_month": view.other.recorded_month}
    return data


@router.get("/hits", response=list[HitOut], exclude_unset=True, summary="Hits of my agency, newest first")
@paginate(LimitOffsetPagination)
def list_hits(request, case: Id | None = None):
    hits = Hit.objects.visible_to(request.user)
    if case is not None:
        # A case the user may see, or 404 as for a missing one: a hidden case's hits would link it to identifiers.
        case = get_visible_or_404(Case.objects.only("pk"), request.user, pk=case).pk
        hits = hits.filter(left_case_id=case) | hits.filter(right_case_id=case)
    return PresentedPage(hits, lambda rows: [_out(v) for v in present_hits(rows, request.user)])


@router.get("/hits/{hit_id}", response=HitOut, exclude_unset=True, summary="One hit (audited)")
def get_hit(request, hit_id: Id):
    hit = get_visible_or_404(Hit.objects.all(), request.user, pk=hit_id)
    record_event(Action.HIT_VIEWED, actor=request.user, target=hit, agency=request.user.agency)
    return _out(present_hits([hit], request.user)[0])


class DetailRequestOut(Schema):
    id: int
    hit_id: int
    created_at: dt.datetime


@router.post("/hits/{hit_id}/request-details", response=DetailRequestOut, summary="Ask the holder for details")
def request_details(request, hit_id: Id):
    hit = get_visible_or_404(Hit.objects.all(), request.user, pk=hit_id)
    return services.request_details(request.user, hit)


class LookupIn(Schema):
    values: list[str] = Field(default_factory=list, max_length=services.MAX_LOOKUP_VALUES)
    text: str = Field("", max_length=200_000)


class LookupMatchOut(Schema):
    visible: bool
    holder: str
    recorded_month: str
    case_id: int | None = None
    reference: str = ""
    title: str = ""
    role: str = ""
    weak: bool = Field(False, description="Given (true) only for a weak link: same handle, platform not stated.")


class LookupAnswerOut(Schema):
    input: str
    type: str
    value: str
    valid: bool
    errors: list[str]
    benign: bool
    hot: bool
    matches: list[LookupMatchOut]


class LookupOut(Schema):
    answers: list[LookupAnswerOut]


@router.post("/lookup", response=LookupOut, auth=read_auth, exclude_unset=True, summary="Look up values or a text")
def lookup(request, payload: LookupIn):
    if not payload.values and not payload.text.strip():
        raise ValidationError({"values": [_("Give values or a text.")]})
    answers = services.lookup(request.user, values=payload.values, text=payload.text)
    return {
        "answers": [
            {
                "input": answer.input,
                "type": answer.type,
                "value": answer.value,
                "valid": answer.valid,
                "errors": answer.errors,
                "benign": answer.benign,
                "hot": answer.hot,
                "matches": [_match_out(match) for match in answer.matches],
            }
            for answer in answers
        ]
    }


def _match_out(match: services.LookupMatch) -> dict:
    """A match as the API shows it: a case the user may not see is only who holds it and since when (hit/no-hit).
    ``weak`` is given only when true (same handle, platform not stated)."""
    out = {"visible": match.visible, "holder": match.holder, "recorded_month": match.recorded_month}
    if match.visible:
        out.update(case_id=match.case_id, reference=match.reference, title=match.title, role=match.role)
    if match.weak:
        out["weak"] = True
    return out


class BenignIn(Schema):
    value: str
    type: str | None = None
    country: str = ""
    category: str = "other"
    reason: str


class BenignOut(Schema):
    id: int
    type: str
    value: str
    category: str
    reason: str
    created_at: dt.datetime


@router.get("/benign", response=list[BenignOut], summary="Benign values (never raise a hit)")
def list_benign(request):
    return BenignValue.objects.all()


@router.post("/benign", response={201: BenignOut}, summary="Add a benign value (platform admin)")
def add_benign(request, payload: BenignIn):
    return Status(201, services.add_benign(request.user, **payload.dict()))


@router.delete("/benign/{benign_id}", response={204: None}, summary="Remove a benign value (platform admin)")
def remove_benign(request, benign_id: Id):
    from django.shortcuts import get_object_or_404

    services.remove_benign(request.user, get_object_or_404(BenignValue, pk=benign_id))
    return Status(204, None)
