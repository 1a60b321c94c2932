"""Every write to mutual-assistance requests: drafting and each workflow transition.

A transition is one conditional UPDATE: it names the version and the states it may start from, so of two
simultaneous transitions exactly one changes the row and the other gets ``Conflict`` (HTTP 409). The audit event is
written in the same transaction as the change; notifications leave after commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lintas import live
from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance.choices import LegalBasis, Priority, RequestStatus, RequestType
from lintas.assistance.models import AssistanceRequest, RequestGroup
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import Case
from lintas.core.validation import (
    clean_currency,
    clean_datetime,
    clean_decimal,
    clean_integer,
    clean_text,
    raise_errors,
)

__all__ = [
    "TRANSITIONS",
    "Conflict",
    "capability_due",
    "default_due",
    "draft_and_submit",
    "draft_request",
    "notify",
    "receiver_people",
    "sender_people",
    "transition",
    "update_capability",
]

S = RequestStatus

DEFAULT_TURNAROUND = {
    Priority.URGENT: dt.timedelta(hours=4),
    Priority.HIGH: dt.timedelta(days=3),
    Priority.ROUTINE: dt.timedelta(days=21),
}
DRAFTER_ROLES = (Role.INVESTIGATOR, Role.ANALYST, Role.LIAISON_OFFICER, Role.SUPERVISOR)


class Conflict(Exception):
    """The request changed since the caller saw it (another transition won)."""


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset[str]
    target: str
    side: str  # "sender" or "receiver"
    roles: tuple[str, ...]


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        gettext_lazy("Submit for approval"), frozenset({S.DRAFT}), S.AWAITING_APPROVAL, "sender", DRAFTER_ROLES
    ),
    "approve": Transition(
        gettext_lazy("Approve and send"), frozenset({S.AWAITING_APPROVAL}), S.SENT, "sender", (Role.SUPERVISOR,)
    ),
    "return": Transition(
        gettext_lazy("Return to the drafter"), frozenset({S.AWAITING_APPROVAL}), S.DRAFT, "sender", (Role.SUPERVISOR,)
    ),
    "send_now": Transition(
        gettext_lazy("Send now (urgent; reviewed afterwards)"),
        frozenset({S.DRAFT, S.AWAITING_APPROVAL}),
        S.SENT,
        "sender",
        (Role.SUPERVISOR,),
    ),
    "acknowledge": Transition(
        gettext_lazy("Acknowledge"), frozenset({S.SENT}), S.ACKNOWLEDGED, "receiver", (Role.LIAISON_OFFICER,)
    ),
    "start": Transition(
        gettext_lazy("Start work"),
        frozenset({S.ACKNOWLEDGED}),
        S.IN_PROGRESS,
        "receiver",
        (Role.LIAISON_OFFICER, Role.INVESTIGATOR, Role.SUPERVISOR),
    ),
    "answer_partly": Transition(
        gettext_lazy("Answer in part"),
        frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.ANSWERED_PARTLY}),
        S.ANSWERED_PARTLY,
        "receiver",
        (Role.LIAISON_OFFICER, Role.INVESTIGATOR, Role.SUPERVISOR),
    ),
    "answer_fully": Transition(
        gettext_lazy("Answer in full"),
        frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.ANSWERED_PARTLY}),
        S.ANSWERED_FULLY,
        "receiver",
        (Role.LIAISON_OFFICER, Role.INVESTIGATOR, Role.SUPERVISOR),
    ),
    "decline": Transition(
        gettext_lazy("Decline"),
        frozenset({S.SENT, S.ACKNOWLEDGED, S.IN_PROGRESS}),
        S.DECLINED,
        "receiver",
        (Role.LIAISON_OFFICER, Role.SUPERVISOR),
    ),
    "close": Transition(
        gettext_lazy("Close"),
        frozenset({S.ANSWERED_PARTLY, S.ANSWERED_FULLY, S.DECLINED}),
        S.CLOSED,
        "sender",
        DRAFTER_ROLES,
    ),
    "withdraw": Transition(
        gettext_lazy("Withdraw"),
        frozenset({S.DRAFT, S.AWAITING_APPROVAL, S.SENT, S.ACKNOWLEDGED, S.IN_PROGRESS, S.ANSWERED_PARTLY}),
        S.WITHDRAWN,
        "sender",
        DRAFTER_ROLES,
    ),
}


def default_due(priority: str, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) + DEFAULT_TURNAROUND[priority]


def capability_due(receiver: Agency, request_type: str, priority: str, now: dt.datetime | None = None):
    """The receiver's usual turnaround for this type when it has said so, else the priority's default."""
    from lintas.assistance.models import CountryCapability

    hours = (
        CountryCapability.objects.filter(agency=receiver, request_type=request_type)
        .values_list("turnaround_hours", flat=True)
        .first()
    )
    fallback = default_due(priority, now)
    if hours:
        # The receiver's usual turnaround, but an urgent request never becomes due in days.
        return min((now or timezone.now()) + dt.timedelta(hours=hours), fallback)
    return fallback


CAPABILITY_FIELDS = ("without_court_order", "turnaround_hours", "longest_freeze_days", "documents", "desk_24_7")


def _capability_model():
    from lintas.assistance.models import CountryCapability

    return CountryCapability


@transaction.atomic
def update_capability(actor, capability, **changes):
    """An agency's admins keep their own country's capabilities; saving marks the row confirmed."""
    if not (actor.has_role(Role.AGENCY_ADMIN) and actor.agency_id == capability.agency_id):
        raise PermissionDenied(_("Only this agency's admins keep its capabilities."))
    unknown = set(changes) - set(CAPABILITY_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    CountryCapability = _capability_model()
    errors: dict[str, list[str]] = {}
    for name in ("turnaround_hours", "longest_freeze_days"):
        if name in changes:
            changes[name] = clean_integer(
                CountryCapability, name, changes[name], errors, required=False, minimum=1, maximum=24 * 365
            )
    if "documents" in changes:
        changes["documents"] = clean_text(CountryCapability, "documents", changes["documents"], errors)
    for name in ("without_court_order", "desk_24_7"):
        if name in changes and changes[name] not in (None, True, False):
            errors[name] = [_("Expected yes, no or unknown.")]
    raise_errors(errors)
    for name, value in changes.items():
        setattr(capability, name, value)
    capability.confirmed = True
    capability.updated_by = actor
    capability.save()
    record_event(
        Action.CAPABILITY_UPDATED,
        actor=actor,
        target=capability,
        agency=actor.agency,
        details={"type": capability.request_type, **{k: str(v) for k, v in changes.items()}},
    )
    return capability


def _latest_due() -> dt.datetime:
    """A request is due within a year: a later date is a typing error (2999)."""
    return timezone.now() + dt.timedelta(days=366)


def _choice(value, choices, field):
    if not isinstance(value, str) or value not in choices.values:
        raise ValidationError({field: [_("Not one of: %(values)s") % {"values": ", ".join(choices.values)}]})
    return value


@transaction.atomic
def draft_request(
    actor,
    *,
    receivers: list[Agency],
    type: str,
    subject: str,
    asked: str,
    priority: str | None = None,
    legal_basis: str = LegalBasis.POLICE_TO_POLICE,
    amount: Decimal | None = None,
    currency: str = "",
    due_at: dt.datetime | None = None,
    language: str | None = None,
    handling_code: str = "H0",
    tlp: str = "amber",
    cases: list[Case] | None = None,
    hit=None,
    parent: AssistanceRequest | None = None,
    receiver_hidden: bool = False,
    identifiers: list | None = None,
) -> list[AssistanceRequest]:
    """Draft one request per receiving agency (grouped when several). Nothing leaves the agency yet.

    Without a priority, the type's default applies (``prefill.default_priority``: a stop-payment is urgent)."""
    if not actor.has_role(*DRAFTER_ROLES):
        raise PermissionDenied(_("Drafting requests needs an investigator, analyst, liaison officer or supervisor."))
    _choice(type, RequestType, "type")
    if priority in (None, ""):
        from lintas.assistance.prefill import default_priority

        priority = default_priority(type)
    _choice(priority, Priority, "priority")
    _choice(legal_basis, LegalBasis, "legal_basis")
    from lintas.cases.choices import HandlingCode, Tlp

    _choice(handling_code, HandlingCode, "handling_code")
    _choice(tlp, Tlp, "tlp")
    if language is None:  # the text is in the sender's language unless told otherwise (decision 0050)
        from lintas.notifications.services import language_of

        language = language_of(actor.language)
    if not (isinstance(language, str) and 2 <= len(language) <= 8 and language.replace("-", "").isalpha()):
        raise ValidationError({"language": [_("A language code such as en, ko or th.")]})
    errors: dict[str, list[str]] = {}
    subject = clean_text(AssistanceRequest, "subject", subject, errors, required=True)
    asked = clean_text(AssistanceRequest, "asked", asked, errors)
    if "asked" not in errors and not asked:
        errors["asked"] = [_("Say what is asked.")]
    receivers = [r for r in receivers if r.pk != actor.agency_id]
    if not receivers:
        errors["receivers"] = [_("Choose at least one other member agency.")]
    if any(not r.is_active for r in receivers):
        errors["receivers"] = [_("A receiving agency is not an active member.")]
    amount = clean_decimal(AssistanceRequest, "amount", amount, errors, required=False)
    currency = clean_currency(currency, errors, required=amount is not None)
    due_at = clean_datetime(
        due_at, errors, "due_at", earliest=timezone.now() - dt.timedelta(days=3650), latest=_latest_due()
    )
    if due_at is not None and due_at <= timezone.now():
        errors["due_at"] = [_("The due date is in the past.")]
    own_cases = list(Case.objects.filter(pk__in=[c.pk for c in cases or []], owner_agency_id=actor.agency_id))
    if cases and len(own_cases) != len(cases):
        errors["cases"] = [_("Only your agency's cases can be linked.")]
    from lintas.cases.models import CaseIdentifier

    own_identifiers = list(
        CaseIdentifier.objects.filter(pk__in=[i.pk for i in identifiers or []], owner_agency_id=actor.agency_id)
    )
    if identifiers and len(own_identifiers) != len(identifiers):
        errors["identifiers"] = [_("Only identifiers of your agency's cases can be linked.")]
    if errors:
        raise ValidationError(errors)
    group = RequestGroup.objects.create() if len(receivers) > 1 else None
    created = []
    for receiver in receivers:
        request = AssistanceRequest.objects.create(
            reference=f"tmp-{timezone.now().timestamp()}-{receiver.pk}",
            group=group,
            parent=parent,
            sender_agency=actor.agency,
            receiver_agency=receiver,
            type=type,
            priority=priority,
            legal_basis=legal_basis,
            subject=subject,
            asked=asked,
            language=language,
            amount=amount,
            currency=currency,
            due_at=due_at or (default_due(priority) if receiver_hidden else capability_due(receiver, type, priority)),
            handling_code=handling_code,
            tlp=tlp,
            hit=hit,
            drafted_by=actor,
            receiver_hidden=receiver_hidden,
        )
        request.reference = f"{actor.agency.short_name.replace(' ', '')}-RQ-{timezone.now().year}-{request.pk:06d}"
        request.save(update_fields=["reference"])
        request.cases.set({*own_cases, *(i.case for i in own_identifiers)})
        request.identifiers.set(own_identifiers)
        record_event(
            Action.REQUEST_DRAFTED,
            actor=actor,
            target=request,
            agency=actor.agency,
            details={
                "reference": request.reference,
                "type": type,
                "receiver": "(hidden holder)" if receiver_hidden else receiver.code,
            },
        )
        created.append(request)
    live.publish(agencies=[actor.agency_id], kind="requests")  # the drafter's agency sees the draft at once
    return created


def _side(actor, request: AssistanceRequest) -> str | None:
    if actor.agency_id == request.sender_agency_id:
        return "sender"
    if actor.agency_id == request.receiver_agency_id:
        return "receiver"
    return None


def on_duty_now(actor) -> bool:
    """``actor`` is on their agency's duty roster now (decision 0048): the 24/7 desk acknowledges urgent requests
    whatever their role."""
    from lintas.agencies.selectors import on_duty

    return bool(actor.agency_id) and any(o.pk == actor.pk for o in on_duty(actor.agency_id, timezone.now()))


def _may(actor, name: str, rule: Transition) -> bool:
    return actor.has_role(*rule.roles) or (name == "acknowledge" and on_duty_now(actor))


def allowed_actions(actor, request: AssistanceRequest) -> list[str]:
    """The transitions ``actor`` may take now (for buttons; ``transition`` checks again)."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if request.status in t.sources
        and _side(actor, request) == t.side
        and _may(actor, name, t)
        and not (name == "approve" and request.drafted_by_id == actor.pk)
        and not (name == "send_now" and request.priority != Priority.URGENT)
    ]


def transition(
    actor, request: AssistanceRequest, action: str, *, version: int, reason: str = "", assignee=None
) -> AssistanceRequest:
    """Move ``request`` by ``action`` if ``actor`` may, from the ``version`` they saw. Raises Conflict if it moved."""
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise ValidationError({"action": [_("Unknown action: %(action)s") % {"action": action}]})
    if _side(actor, request) != rule.side or not _may(actor, action, rule):
        raise PermissionDenied(_("Your role or agency may not do this with this request."))
    if action == "approve" and request.drafted_by_id == actor.pk:
        raise PermissionDenied(_("Four eyes: someone other than the drafter approves a request."))
    if action == "send_now" and request.priority != Priority.URGENT:
        raise PermissionDenied(_("Only urgent requests are sent without approval."))
    errors: dict[str, list[str]] = {}
    reason = clean_text(AssistanceRequest, "decline_reason", reason, errors, key="reason")
    raise_errors(errors)
    if action == "decline" and not reason:
        raise ValidationError({"reason": [_("Say why the request is declined.")]})
    now = timezone.now()
    changes = {"status": rule.target, "version": F("version") + 1}
    if rule.target == S.SENT:
        changes.update(sent_at=now, approved_by=actor, review_after_sending=action == "send_now")
        if request.due_at <= now:  # approved after its due date: the receiver's clock starts when it is sent
            changes.update(due_at=default_due(request.priority, now))
    if action == "acknowledge":
        changes.update(acknowledged_at=now)
    if action in {"answer_partly", "answer_fully"} and request.actioned_at is None:
        changes.update(actioned_at=now)
    if action == "decline":
        changes.update(decline_reason=reason.strip())
    if rule.target in {S.CLOSED, S.WITHDRAWN}:
        changes.update(closed_at=now)
    if action == "start":
        changes.update(assigned_to=assignee or actor)
    if action == "submit" and request.drafted_by_id is None:
        changes.update(drafted_by=actor)  # a proposed follow-up: whoever submits it is its drafter (four eyes)
    with transaction.atomic():
        moved = AssistanceRequest.objects.filter(pk=request.pk, version=version, status__in=rule.sources).update(
            **changes
        )
        if moved != 1:
            raise Conflict(_("The request changed since you opened it: reload it and try again."))
        request.refresh_from_db()
        live.publish(
            agencies=[request.sender_agency_id, request.receiver_agency_id if request.sent_at else None],
            kind="requests",
        )
        _notify_transition(actor, request, action)
        record_event(
            Action.REQUEST_TRANSITION,
            actor=actor,
            target=request,
            agency=actor.agency,
            details={
                "action": action,
                "to": rule.target,
                "version": request.version,
                **({"reason": reason.strip()} if reason.strip() else {}),
            },
        )
    return request


def sender_people(request: AssistanceRequest) -> set[int]:
    """Who hears of the receiver's moves: the drafter, and the sending agency's liaison officers and supervisors."""
    from lintas.accounts.models import User

    people = set(
        User.objects.filter(
            agency_id=request.sender_agency_id,
            is_active=True,
            role_assignments__role__in=(Role.LIAISON_OFFICER, Role.SUPERVISOR),
        ).values_list("pk", flat=True)
    )
    if request.drafted_by_id and request.drafted_by.is_active:
        people.add(request.drafted_by_id)
    return people


def receiver_people(request: AssistanceRequest) -> set[int]:
    """Who hears of the sender's moves once a request is sent: the receiver's liaison officers and the officer it is
    assigned to. Nothing of a draft ever reaches the receiving agency."""
    from lintas.accounts.models import User

    if request.sent_at is None:
        return set()
    people = set(
        User.objects.filter(
            agency_id=request.receiver_agency_id, is_active=True, role_assignments__role=Role.LIAISON_OFFICER
        ).values_list("pk", flat=True)
    )
    if request.assigned_to_id and request.assigned_to.is_active:
        people.add(request.assigned_to_id)
    return people


def notify(actor, request: AssistanceRequest, recipients, text, params: dict | None = None) -> None:
    """Tell ``recipients`` (never the actor), each in their own language, in-app now and by e-mail after commit.

    ``recipients`` must all belong to the request's two agencies; a draft's are checked to be the sender's own."""
    from lintas.accounts.models import User
    from lintas.matching.notify import _send_emails
    from lintas.notifications.models import Notification, NotificationKind
    from lintas.notifications.services import for_recipients

    allowed = (
        {request.sender_agency_id}
        if request.sent_at is None
        else {
            request.sender_agency_id,
            request.receiver_agency_id,
        }
    )
    ids = set(recipients) - {getattr(actor, "pk", None)}
    ids = set(User.objects.filter(pk__in=ids, agency_id__in=allowed).values_list("pk", flat=True))
    if not ids:
        return
    params = {**_params(request), **(params or {})}
    notes = Notification.objects.bulk_create(
        for_recipients(sorted(ids), text, params, kind=NotificationKind.REQUEST, url=f"/requests/{request.pk}/")
    )
    note_ids = [n.pk for n in notes]
    transaction.on_commit(lambda: _send_emails(note_ids))


def _params(request: AssistanceRequest) -> dict:
    # Labels stay lazy: each recipient reads them in their own language.
    return {
        "ref": request.reference,
        "type": dict(RequestType.choices).get(request.type, request.type),
        "to": request.receiver_agency.short_name
        if request.receiver_known_to_sender()
        else gettext_lazy("a member agency"),
        "sender": request.sender_agency.short_name,
        "status": dict(RequestStatus.choices).get(request.status, request.status),
        "priority": dict(Priority.choices).get(request.priority, request.priority),
    }


RECEIVER_MOVES = {"acknowledge", "start", "answer_partly", "answer_fully", "decline"}


def _notify_transition(actor, request: AssistanceRequest, action: str) -> None:
    """Every move is told to the people who must know, never to the one who made it:

    * submit: the sending agency's supervisors (to approve);
    * return: the drafter (to fix and resubmit);
    * approve / send now: the receiver's liaison officers (a new request) and the drafter (it has left);
    * a receiver's move (acknowledge, start work, answer, decline): the sender's drafter, liaison officers and
      supervisors;
    * a sender's move after sending (withdraw, close): the receiver's liaison officers and the assigned officer.
    """
    from lintas.accounts.models import User

    if action == "submit":
        supervisors = User.objects.filter(
            agency_id=request.sender_agency_id, is_active=True, role_assignments__role=Role.SUPERVISOR
        ).values_list("pk", flat=True)
        notify(actor, request, supervisors, gettext_lazy("%(ref)s awaits your approval: %(type)s to %(to)s."))
    elif action == "return":
        notify(
            actor,
            request,
            {request.drafted_by_id} - {None},
            gettext_lazy("%(ref)s was returned to you for changes."),
        )
    elif request.status == S.SENT:
        first = set()
        if request.priority == Priority.URGENT:  # the duty desk's first officer (decision 0048)
            from lintas.assistance.escalation import first_on_duty

            first = set(first_on_duty(request.receiver_agency, timezone.now()))
        notify(
            actor,
            request,
            receiver_people(request) | first,
            gettext_lazy("New %(priority)s request %(ref)s from %(sender)s: %(type)s."),
        )
        notify(
            actor, request, {request.drafted_by_id} - {None}, gettext_lazy("%(ref)s was approved and sent to %(to)s.")
        )
    elif action in RECEIVER_MOVES:
        notify(actor, request, sender_people(request), gettext_lazy("%(ref)s to %(to)s is now: %(status)s."))
    elif action == "withdraw":
        notify(actor, request, receiver_people(request), gettext_lazy("%(ref)s from %(sender)s was withdrawn."))
    elif action == "close":
        notify(actor, request, receiver_people(request), gettext_lazy("%(ref)s from %(sender)s was closed."))


MAX_MESSAGE_CHARS = 20_000


@transaction.atomic
def post_message(actor, request: AssistanceRequest, body: str):
    """Write on a request's thread: either side, once the request has been sent (the sender's drafts too)."""
    from lintas.assistance.models import RequestMessage

    side = _side(actor, request)
    if side is None or (side == "receiver" and request.sent_at is None):
        raise PermissionDenied(_("Only the two agencies of a request write on its thread."))
    if side == "receiver" and not request.receiver_known_to_sender():
        raise PermissionDenied(_("Acknowledge the request first: your agency's name is hidden until you do."))
    errors: dict[str, list[str]] = {}
    body = clean_text(RequestMessage, "body", body, errors)
    raise_errors(errors)
    if not body or len(body) > MAX_MESSAGE_CHARS:
        raise ValidationError({"body": [_("Write between 1 and %(n)d characters.") % {"n": MAX_MESSAGE_CHARS}]})
    message = RequestMessage.objects.create(
        request=request,
        author=actor,
        author_name=actor.get_full_name() or actor.username,
        agency=actor.agency,
        body=body,
    )
    mark_read(actor, request)
    if request.sent_at is not None:
        people = receiver_people(request) if side == "sender" else sender_people(request)
        notify(actor, request, people, gettext_lazy("New message on %(ref)s."))
    record_event(
        Action.REQUEST_MESSAGE,
        actor=actor,
        target=request,
        agency=actor.agency,
        details={"message": message.pk, "chars": len(body)},
    )
    return message


def read_thread(actor, request: AssistanceRequest) -> list:
    """The request's messages, oldest first, each with ``read_by_other`` (the other agency has read the thread since
    it was posted); marks the thread read for the reader's agency."""
    thread = list(request.messages.select_related("agency"))
    reads = {r.agency_id: r.read_at for r in request.reads.all()}
    for message in thread:
        other = (
            request.receiver_agency_id if message.agency_id == request.sender_agency_id else request.sender_agency_id
        )
        message.read_by_other = reads.get(other) is not None and reads[other] >= message.created_at
    mark_read(actor, request)
    return thread


def mark_read(actor, request: AssistanceRequest) -> None:
    from lintas.assistance.models import ThreadRead

    ThreadRead.objects.update_or_create(
        request=request, agency_id=actor.agency_id, defaults={"read_at": timezone.now()}
    )


@transaction.atomic
def draft_and_submit(actor, **draft) -> list[AssistanceRequest]:
    """Draft (``draft_request``) and submit each request for approval in one go: all or nothing. Four eyes still
    hold: the request waits for a supervisor other than its drafter."""
    created = draft_request(actor, **draft)
    return [transition(actor, request, "submit", version=request.version) for request in created]
