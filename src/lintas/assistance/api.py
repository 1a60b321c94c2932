"""Mutual-assistance API: draft, list, read and move requests. Transitions name the version they saw
(``If-Match`` header or ``version`` in the body); a request that moved meanwhile answers 409."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.models import AssistanceRequest
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import Case
from lintas.core.access import get_visible_or_404, visible_or_invalid
from lintas.core.api_input import AwareDateTime, Id, LimitOffsetPagination
from lintas.core.paging import PresentedPage

__all__ = ["router"]

router = Router()

# An amount in a request body: a JSON number or a decimal string. The schema says which strings (a subset of what the
# parser reads: no blanks around, an exponent of at most 4 digits); pydantic's own schema said "any string", so
# clients and fuzzers sent "", "1,5" and "1e51080166589360961635" as valid.
Amount = Annotated[
    Decimal,
    WithJsonSchema(
        {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?$"}]}
    ),
]


class RequestOut(Schema):
    id: int
    reference: str
    sender: str = Field(..., alias="sender_agency.code")
    receiver: str = Field(..., description="Receiving agency code; 'hidden' until a hidden holder acknowledges.")
    type: str
    priority: str
    legal_basis: str
    subject: str
    asked: str
    language: str
    amount: Decimal | None
    currency: str
    due_at: dt.datetime
    handling_code: str
    tlp: str
    status: str
    version: int
    review_after_sending: bool
    decline_reason: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    actioned_at: dt.datetime | None
    allowed_actions: list[str] = []
    linked_identifiers: list[dict] = Field(default_factory=list, description="Identifiers the request is about.")


class RequestIn(Schema):
    receivers: list[str] = Field(..., min_length=1, description="Agency codes; one request per receiver.")
    type: str
    subject: str
    asked: str
    priority: str | None = Field(
        None,
        description="urgent, high or routine; without it, the type's default (stop_payment and preservation: urgent).",
    )
    legal_basis: str = "police_to_police"
    amount: Amount | None = None
    currency: str = ""
    due_at: AwareDateTime | None = Field(None, description="With its time zone, e.g. 2027-01-31T17:00:00+07:00.")
    language: str | None = Field(None, description="Of the subject and what is asked; by default your language.")
    handling_code: str = "H0"
    tlp: str = "amber"
    cases: list[Id] = []
    identifiers: list[Id] = Field(default_factory=list, description="Ids of your cases' identifiers to link.")


# The actions a request can take, as the schema's enum: with any string, the path also named the sibling operations
# (`/requests/1/messages` is "post a message", not the action "messages").
TransitionName = Literal[tuple(services.TRANSITIONS)]


class TransitionIn(Schema):
    version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The version you saw; or send it as the If-Match header."
    )
    reason: str = ""


class RefusalOut(Schema):
    """The API's error body (``lintas.api.ERROR_SCHEMA``), for an answer an operation returns itself."""

    detail: str


class ConflictOut(Schema):
    detail: str
    version: int
    status: str


def _out(request_obj, user):
    request_obj.allowed_actions = services.allowed_actions(user, request_obj)
    # Linked identifiers travel with the request: the receiver needs the account it is asked to freeze.
    request_obj.linked_identifiers = [
        {"type": i.type, "value": i.value, "display": i.display} for i in request_obj.identifiers.all() if not i.blind
    ]
    known = user.agency_id != request_obj.sender_agency_id or request_obj.receiver_known_to_sender()
    request_obj.receiver = request_obj.receiver_agency.code if known else "hidden"
    return request_obj


def _requests():
    return AssistanceRequest.objects.select_related("sender_agency", "receiver_agency")


@router.get("/", response=list[RequestOut], summary="Requests my agency sent or received")
@paginate(LimitOffsetPagination)
def list_requests(request, box: str = "", status: str = ""):
    items = _requests().visible_to(request.user)
    if box == "incoming":
        items = items.filter(receiver_agency_id=request.user.agency_id)
    elif box == "outgoing":
        items = items.filter(sender_agency_id=request.user.agency_id)
    if status:
        items = items.filter(status=status)
    return PresentedPage(items, lambda rows: [_out(r, request.user) for r in rows])


@router.post("/", response={201: list[RequestOut]}, summary="Draft a request (one per receiving agency)")
def draft(request, payload: RequestIn):
    receivers = [get_object_or_404(Agency, code=code) for code in payload.receivers]
    from lintas.cases.models import CaseIdentifier

    # Every id must name one of the caller's own cases (identifiers): a hidden, a missing and another agency's id all
    # answer 422 naming the field, and none is dropped silently.
    own = {"owner_agency_id": request.user.agency_id}
    cases = visible_or_invalid(
        Case.objects.filter(**own), request.user, payload.cases, field="cases",
        message=_("Only your agency's cases can be linked."),
    )  # fmt: skip
    idents = visible_or_invalid(
        CaseIdentifier.objects.filter(**own), request.user, payload.identifiers, field="identifiers",
        message=_("Only identifiers of your agency's cases can be linked."),
    )  # fmt: skip
    created = services.draft_request(
        request.user,
        receivers=receivers,
        cases=cases,
        identifiers=idents,
        **payload.dict(exclude={"receivers", "cases", "identifiers"}),
    )
    return Status(201, [_out(r, request.user) for r in created])


@router.get("/ledger", response=list[dict], summary="Outcomes by country pair and month")
def outcome_ledger(request):
    from lintas.assistance.outcomes import ledger

    return ledger(request.user)


@router.get("/{request_id}", response=RequestOut, summary="One request (audited)")
def get_request(request, request_id: Id):
    item = get_visible_or_404(_requests(), request.user, pk=request_id)
    record_event(Action.REQUEST_VIEWED, actor=request.user, target=item, agency=request.user.agency)
    return _out(item, request.user)


def _if_match(http_request: HttpRequest, body_version: int | None) -> int | None:
    header = http_request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    if header.isdigit():
        if len(header) > 10 or int(header) > 2**31 - 1:  # beyond the version column: the same answer on every database
            from django.core.exceptions import ValidationError

            raise ValidationError({"If-Match": [_("Not a version of this request.")]})
        return int(header)
    return body_version


class TransferSchema(Schema):
    destination: str
    amount: Amount
    currency: str
    moved_at: AwareDateTime
    type: str | None = None
    country: str | None = None


class OutcomeIn(Schema):
    currency: str = "USD"
    amount_frozen: Amount = Decimal(0)
    amount_returned: Amount = Decimal(0)
    accounts_frozen: int = 0
    wallets_frozen: int = 0
    note: str = ""
    transfers: list[TransferSchema] = []


class OutcomeOut(Schema):
    currency: str
    amount_frozen: Decimal
    amount_returned: Decimal
    accounts_frozen: int
    wallets_frozen: int
    note: str
    follow_ups: list[str]


@router.post("/{request_id}/outcome", response=OutcomeOut, summary="Record what was frozen and onward transfers")
def record_outcome(request, request_id: Id, payload: OutcomeIn):
    from lintas.assistance.outcomes import TransferIn
    from lintas.assistance.outcomes import record_outcome as record

    item = get_visible_or_404(_requests(), request.user, pk=request_id)
    data = payload.dict(exclude={"transfers"})
    outcome, follow_ups = record(
        request.user, item, transfers=[TransferIn(**t.dict()) for t in payload.transfers], **data
    )
    outcome.follow_ups = [f.reference for f in follow_ups]
    return outcome


class MessageOut(Schema):
    id: int
    author_name: str
    agency: str = Field(..., alias="agency.code")
    body: str
    created_at: dt.datetime
    read_by_other: bool = False


class MessageIn(Schema):
    body: str


@router.get("/{request_id}/messages", response=list[MessageOut], summary="The request's thread (marks it read)")
def list_messages(request, request_id: Id):
    item = get_visible_or_404(_requests(), request.user, pk=request_id)
    return services.read_thread(request.user, item)


@router.post("/{request_id}/messages", response={201: MessageOut}, summary="Write on the request's thread")
def post_message(request, request_id: Id, payload: MessageIn):
    item = get_visible_or_404(_requests(), request.user, pk=request_id)
    return Status(201, services.post_message(request.user, item, payload.body))


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    agency: str = Field(..., alias="agency.code")
    created_at: dt.datetime


@router.get("/{request_id}/attachments", response=list[AttachmentOut], summary="Files on the request")
def list_attachments(request, request_id: Id):
    item = get_visible_or_404(_requests(), request.user, pk=request_id)
    return item.attachments.select_related("agency")


@router.post(
    "/{request_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach a file (multipart 'file')",
    openapi_extra={  # an empty part is no file at all to Django: the schema says a file has content
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {"properties": {"file": {"type": "string", "format": "binary", "minLength": 1}}}
                }
            }
        }
    },
)
def attach(request, request_id: Id, file: File[UploadedFile]):
    from lintas.assistance.attachments import add_attachment

    item = get_visible_or_404(_requests(), request.user, pk=request_id)
    return Status(201, add_attachment(request.user, item, file))


class HopTransfer(Schema):
    destination: str
    type: str
    value: str
    display: str  # as people write it ("Krungthai Bank 123-4-56789-0"); ``value`` is the canonical form
    country: str
    amount: Decimal
    currency: str
    moved_at: dt.datetime
    follow_up: str | None


class Hop(Schema):
    reference: str
    receiver: str
    status: str
    sent_at: dt.datetime | None
    transfers: list[HopTransfer]


@router.get("/{request_id}/trail", response=list[Hop], summary="The chain of hops the money took")
def trail(request, request_id: Id):
    from lintas.assistance.outcomes import hops

    item = get_visible_or_404(_requests(), request.user, pk=request_id)
    visible = set(AssistanceRequest.objects.visible_to(request.user).values_list("pk", flat=True))
    out = []
    for hop in hops(item):
        r = hop["request"]
        if r.pk not in visible:
            continue
        out.append(
            {
                "reference": r.reference,
                "receiver": r.receiver_agency.code
                if request.user.agency_id != r.sender_agency_id or r.receiver_known_to_sender()
                else "hidden",
                "status": r.status,
                "sent_at": r.sent_at,
                "transfers": [
                    {
                        **{
                            k: getattr(t, k)
                            for k in (
                                "destination",
                                "type",
                                "value",
                                "display",
                                "country",
                                "amount",
                                "currency",
                                "moved_at",
                            )
                        },
                        "follow_up": t.follow_up.reference if t.follow_up_id and t.follow_up_id in visible else None,
                    }
                    for t in hop["transfers"]
                ],
            }
        )
    return out


@router.post(
    "/{request_id}/{action}",
    response={200: RequestOut, 409: ConflictOut, 428: RefusalOut},
    summary="Move a request: submit, approve, return, send_now, acknowledge, start, answer_partly, answer_fully, "
    "decline, close, withdraw",
)
def move(request, request_id: Id, action: TransitionName, payload: TransitionIn):
    item = get_visible_or_404(_requests(), request.user, pk=request_id)
    version = _if_match(request, payload.version)
    if version is None:
        return Status(428, {"detail": _("Name the version you saw: If-Match header or version in the body.")})
    try:
        moved = services.transition(request.user, item, action, version=version, reason=payload.reason)
    except services.Conflict as conflict:
        item.refresh_from_db()
        return Status(409, {"detail": str(conflict), "version": item.version, "status": item.status})
    return _out(moved, request.user)
