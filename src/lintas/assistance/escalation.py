"""Urgent requests wait for nobody (decision 0048): an urgent request still unacknowledged N minutes after it was
sent (N set by the receiving agency, 15 by default) goes to the next officer on the receiver's duty roster; after 2N
to the receiver's supervisors. The receiver's 24/7 contact point is e-mailed at the first step. With nobody else on
duty the first step goes straight to the supervisors. Run every minute by the job worker; each step happens once per
request (a row per step, unique, written under a lock on the request) and is audited.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from lintas.accounts.choices import Role
from lintas.accounts.models import User
from lintas.agencies.models import ESCALATION_MINUTES
from lintas.agencies.selectors import contact_email, on_duty
from lintas.assistance.choices import Priority, RequestStatus, RequestType
from lintas.assistance.models import AssistanceRequest, RequestEscalation
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.notifications.models import Notification, NotificationKind
from lintas.notifications.services import for_recipients

__all__ = ["contact_message", "escalate_unacknowledged", "escalations_for", "first_on_duty"]

Step = RequestEscalation.Step


def first_on_duty(agency, now) -> list[int]:
    """The id of the officer told first of an urgent request sent to ``agency`` at ``now`` (none when nobody is on
    duty): the first in order on its duty roster."""
    officers = on_duty(agency, now)
    return [officers[0].pk] if officers else []


def _notify(user_ids, text, params: dict, request: AssistanceRequest) -> list[int]:
    url = f"/requests/{request.pk}/"
    notes = Notification.objects.bulk_create(
        for_recipients(user_ids, text, params, kind=NotificationKind.REQUEST, url=url)
    )
    return [note.pk for note in notes]


def _contact_language(agency) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    return next((code for code in agency.languages if code in known), "en")


def _step(request: AssistanceRequest, step: int, now, minutes: int, next_officer=None) -> RequestEscalation:
    """Take one step for ``request`` (locked by the caller): notify, record, audit, e-mail on commit."""
    receiver = request.receiver_agency
    params = {
        "ref": request.reference,
        "sender": request.sender_agency.short_name,
        "type": dict(RequestType.choices).get(request.type, request.type),
        "minutes": minutes,
    }
    escalation = RequestEscalation(request=request, step=step, at=now, minutes=minutes)
    if step == Step.ON_DUTY:
        escalation.officer = next_officer
        escalation.officer_name = next_officer.get_full_name() or next_officer.username
        escalation.position = next_officer.duty_position
        text = _(
            "Urgent %(ref)s from %(sender)s (%(type)s) is not acknowledged after %(minutes)s minutes: you are the next "
            "officer on duty."
        )
        ids = _notify([next_officer.pk], text, params, request)
    else:
        supervisors = list(
            User.objects.filter(agency_id=receiver.pk, is_active=True, role_assignments__role=Role.SUPERVISOR)
            .distinct()
            .values_list("pk", flat=True)
        )
        escalation.supervisors = len(supervisors)
        text = _(
            "Urgent %(ref)s from %(sender)s (%(type)s) is not acknowledged after %(minutes)s minutes: escalated to "
            "the supervisors."
        )
        ids = _notify(supervisors, text, params, request)
    first = not request.escalations.exists()
    address = contact_email(receiver) if first else ""
    escalation.emailed_to = address
    escalation.save()
    record_event(
        Action.REQUEST_ESCALATED,
        target=request,
        agency=receiver,
        actor_username="system",
        details={
            "step": "on_duty" if step == Step.ON_DUTY else "supervisors",
            "minutes": minutes,
            "to": [escalation.officer_id] if step == Step.ON_DUTY else [],
            "supervisors": escalation.supervisors,
            **({"emailed": address} if address else {}),
        },
    )
    from lintas.matching.notify import _send_emails

    if ids:
        transaction.on_commit(lambda: _send_emails(ids))
    if address:
        from lintas.assistance.tasks import email_duty_contact

        language = _contact_language(receiver)
        transaction.on_commit(lambda: _queue_contact_email(email_duty_contact, request.pk, address, minutes, language))
    return escalation


def _queue_contact_email(task, request_id: int, address: str, minutes: int, language: str) -> None:
    import logging

    try:
        task(request_id, address, minutes, language)
    except Exception:  # a queue outage is logged, never turned into a failed escalation
        logging.getLogger(__name__).exception("could not queue the 24/7 contact e-mail for request %s", request_id)


def contact_message(request: AssistanceRequest, minutes: int, language: str) -> tuple[str, str]:
    """Subject and body of the e-mail to the receiver's 24/7 contact point, in ``language``. No case content: the
    reference, the sender, the type and how long it has waited; the officers read the rest in Lintas."""
    with translation.override(language):
        params = {
            "ref": request.reference,
            "sender": request.sender_agency.short_name,
            "type": str(dict(RequestType.choices).get(request.type, request.type)),
            "minutes": minutes,
        }
        subject = str(_("Lintas: urgent request %(ref)s not acknowledged")) % params
        body = (
            str(
                _(
                    "Urgent request %(ref)s from %(sender)s (%(type)s) has not been acknowledged after %(minutes)s "
                    "minutes. Sign in to Lintas and acknowledge it: Requests, incoming."
                )
            )
            % params
        )
    return subject, body


def escalate_unacknowledged(now=None) -> dict[str, int]:
    """Take the escalation steps that are due. Returns how many of each were taken."""
    now = now or timezone.now()
    taken = {"on_duty": 0, "supervisors": 0}
    waiting = (
        AssistanceRequest.objects.filter(
            status=RequestStatus.SENT,
            priority=Priority.URGENT,
            sent_at__lte=now - timedelta(minutes=ESCALATION_MINUTES[0]),
        )
        .exclude(escalations__step=Step.SUPERVISORS)
        .select_related("receiver_agency")
        .order_by("sent_at", "pk")
    )
    for candidate in waiting:
        after = timedelta(minutes=candidate.receiver_agency.escalate_after_minutes)
        if now - candidate.sent_at < after:
            continue
        with transaction.atomic():
            request = (
                AssistanceRequest.objects.select_for_update()
                .filter(pk=candidate.pk, status=RequestStatus.SENT, priority=Priority.URGENT)
                .first()
            )
            if request is None:  # acknowledged (or withdrawn) since the list was read
                continue
            request = AssistanceRequest.objects.select_related("sender_agency", "receiver_agency").get(pk=request.pk)
            done = set(request.escalations.values_list("step", flat=True))
            elapsed = now - request.sent_at
            minutes = int(elapsed.total_seconds() // 60)
            if not done:
                told = set(first_on_duty(request.receiver_agency, request.sent_at))
                following = [o for o in on_duty(request.receiver_agency, now) if o.pk not in told]
                if following:
                    _step(request, Step.ON_DUTY, now, minutes, following[0])
                    taken["on_duty"] += 1
                    done.add(Step.ON_DUTY)
                else:  # nobody else on duty: straight to the supervisors and the 24/7 contact point
                    _step(request, Step.SUPERVISORS, now, minutes)
                    taken["supervisors"] += 1
                    continue
            if Step.SUPERVISORS not in done and elapsed >= 2 * after:
                _step(request, Step.SUPERVISORS, now, minutes)
                taken["supervisors"] += 1
    return taken


def escalations_for(user, request: AssistanceRequest) -> list[dict]:
    """The escalation steps of ``request`` as ``user`` may read them: the receiving agency sees whom each step
    reached; the sender sees that and when it was escalated, without the receiver's officers or contact address."""
    receiver = user.agency_id == request.receiver_agency_id
    rows = []
    for escalation in request.escalations.all():
        rows.append(
            {
                "step": escalation.step,
                "at": escalation.at,
                "minutes": escalation.minutes,
                "officer": escalation.officer_name if receiver else "",
                "position": escalation.position if receiver else None,
                "supervisors": escalation.supervisors if receiver else None,
                "emailed_to": escalation.emailed_to if receiver else "",
                "emailed": bool(escalation.emailed_to),
            }
        )
    return rows
