"""Deadlines of requests: escalation to the receiving supervisors at 50 % and 90 % of the time, the sender told
when a request is overdue. Run every minute by the job worker; each step is sent once per request."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lintas.accounts.choices import Role
from lintas.accounts.models import User
from lintas.assistance.choices import RequestStatus
from lintas.assistance.models import AssistanceRequest
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.notifications.models import Notification, NotificationKind
from lintas.notifications.services import for_recipients

__all__ = ["WAITING_ON_RECEIVER", "check_deadlines"]

# States in which the receiving agency owes the next step.
WAITING_ON_RECEIVER = (RequestStatus.SENT, RequestStatus.ACKNOWLEDGED, RequestStatus.IN_PROGRESS)


def _users(agency_id: int, *roles: str) -> list[int]:
    users = User.objects.filter(agency_id=agency_id, is_active=True)
    return list(users.filter(role_assignments__role__in=roles).distinct().values_list("pk", flat=True))


def _notify(user_ids, text, params: dict, request: AssistanceRequest) -> None:
    """``text % params`` to each user in their own language (``text`` and any text in ``params`` lazy)."""
    kind, url = NotificationKind.DEADLINE, f"/requests/{request.pk}/"
    Notification.objects.bulk_create(for_recipients(user_ids, text, params, kind=kind, url=url))


def check_deadlines(now=None) -> dict[str, int]:
    """Send the escalations and overdue notices that are due. Returns how many of each were sent."""
    now = now or timezone.now()
    sent = {"half": 0, "late": 0, "overdue": 0}
    waiting = AssistanceRequest.objects.filter(status__in=WAITING_ON_RECEIVER, sent_at__isnull=False)
    for request in waiting.filter(overdue_notified_at__isnull=True).select_related("sender_agency", "receiver_agency"):
        total = (request.due_at - request.sent_at).total_seconds()
        elapsed = (now - request.sent_at).total_seconds()
        if total <= 0:
            continue
        share = elapsed / total
        with transaction.atomic():
            if share >= 1:
                _notify(
                    _users(request.sender_agency_id, Role.LIAISON_OFFICER, Role.SUPERVISOR)
                    + ([request.drafted_by_id] if request.drafted_by_id else []),
                    _("Overdue: %(ref)s to %(to)s was due %(due)s."),
                    {
                        "ref": request.reference,
                        "to": request.receiver_agency.short_name
                        if request.receiver_known_to_sender()
                        else _("a member agency"),
                        "due": request.due_at,  # in each reader's format and time zone
                    },
                    request,
                )
                _notify(
                    _users(request.receiver_agency_id, Role.SUPERVISOR),
                    _("Overdue: %(ref)s from %(sender)s."),
                    {"ref": request.reference, "sender": request.sender_agency.short_name},
                    request,
                )
                AssistanceRequest.objects.filter(pk=request.pk).update(overdue_notified_at=now)
                step = "overdue"
            elif share >= 0.9 and request.escalated_late_at is None:
                _notify(
                    _users(request.receiver_agency_id, Role.SUPERVISOR),
                    _("90 %% of the time is used: %(ref)s from %(sender)s is due %(due)s."),
                    {
                        "ref": request.reference,
                        "sender": request.sender_agency.short_name,
                        "due": request.due_at,  # in each reader's format and time zone
                    },
                    request,
                )
                AssistanceRequest.objects.filter(pk=request.pk).update(escalated_late_at=now, escalated_half_at=now)
                step = "late"
            elif share >= 0.5 and request.escalated_half_at is None:
                _notify(
                    _users(request.receiver_agency_id, Role.SUPERVISOR),
                    _("Half of the time is used: %(ref)s from %(sender)s is due %(due)s."),
                    {
                        "ref": request.reference,
                        "sender": request.sender_agency.short_name,
                        "due": request.due_at,  # in each reader's format and time zone
                    },
                    request,
                )
                AssistanceRequest.objects.filter(pk=request.pk).update(escalated_half_at=now)
                step = "half"
            else:
                continue
            record_event(
                Action.REQUEST_ESCALATED,
                target=request,
                agency=request.receiver_agency,
                actor_username="system",
                details={"step": step, "share": round(share, 2)},
            )
            sent[step] += 1
    return sent
