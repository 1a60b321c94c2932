"""Who must act on what, now: the urgent banner and the dashboard's requests panel read it here (decision 0045).

One place decides it, so a later rule (a duty roster) changes it for the banner, the panel and the sound alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from lintas.accounts.choices import Role
from lintas.assistance.choices import Priority, RequestStatus
from lintas.assistance.models import AssistanceRequest

__all__ = ["Alert", "alerts_for", "request_news", "requests_needing", "unread_request_news"]

# The receiver's work on a request that has reached it and is not finished.
_RECEIVER_WORK = (
    RequestStatus.SENT,
    RequestStatus.ACKNOWLEDGED,
    RequestStatus.IN_PROGRESS,
    RequestStatus.ANSWERED_PARTLY,
)


@dataclass(frozen=True)
class Alert:
    """An urgent request ``user`` must act on now: ``action`` is what they must do (approve or acknowledge)."""

    request: AssistanceRequest
    action: str
    action_label: str
    other_agency: str

    @property
    def key(self) -> str:
        """Stable across refreshes: the browser sounds once per new key."""
        return f"{self.action}-{self.request.pk}"


def _must_approve(user) -> Q | None:
    if not user.has_role(Role.SUPERVISOR):
        return None
    return Q(sender_agency_id=user.agency_id, status=RequestStatus.AWAITING_APPROVAL) & ~Q(drafted_by_id=user.pk)


def _must_acknowledge(user) -> Q | None:
    from lintas.assistance.services import on_duty_now

    if not (user.has_role(Role.LIAISON_OFFICER, Role.SUPERVISOR) or on_duty_now(user)):
        return None
    return Q(receiver_agency_id=user.agency_id, status=RequestStatus.SENT)


def alerts_for(user) -> list[Alert]:
    """The urgent requests ``user`` must act on, soonest due first.

    - awaiting approval in the user's agency, for its supervisors other than the drafter (four eyes);
    - sent to the user's agency and not yet acknowledged, for its liaison officers, supervisors and whoever is on its
      duty roster now (decision 0048).
    """
    if not getattr(user, "is_authenticated", False) or not user.agency_id:
        return []
    approve, acknowledge = _must_approve(user), _must_acknowledge(user)
    rules = [q for q in (approve, acknowledge) if q is not None]
    if not rules:
        return []
    wanted = rules[0]
    for rule in rules[1:]:
        wanted |= rule
    rows = (
        AssistanceRequest.objects.visible_to(user)
        .filter(wanted, priority=Priority.URGENT)
        .select_related("sender_agency", "receiver_agency")
        .order_by("due_at", "pk")[:20]
    )
    alerts = []
    for request in rows:
        if request.status == RequestStatus.AWAITING_APPROVAL:
            alerts.append(Alert(request, "approve", str(_("Approve")), request.receiver_label(user)))
        else:
            alerts.append(Alert(request, "acknowledge", str(_("Acknowledge")), request.sender_agency.short_name))
    return alerts


def requests_needing(user, limit: int = 10) -> list[AssistanceRequest]:
    """Open requests waiting for ``user``: to approve, to handle as the receiver, assigned to them, or their drafts.

    Urgent first, then by due date. Each carries ``other_agency`` (the other side as the user may know it).
    """
    if not getattr(user, "is_authenticated", False) or not user.agency_id:
        return []
    wanted = Q(sender_agency_id=user.agency_id, status=RequestStatus.DRAFT, drafted_by_id=user.pk) | Q(
        receiver_agency_id=user.agency_id, status__in=_RECEIVER_WORK, assigned_to_id=user.pk
    )
    for rule in (_must_approve(user), _must_acknowledge(user)):
        if rule is not None:
            wanted |= rule
    if user.has_role(Role.LIAISON_OFFICER, Role.SUPERVISOR):
        wanted |= Q(receiver_agency_id=user.agency_id, status__in=_RECEIVER_WORK, assigned_to__isnull=True)
    from lintas.assistance.services import DRAFTER_ROLES

    if user.has_role(*DRAFTER_ROLES):  # follow-ups Lintas drafted from an outcome wait for someone to submit them
        wanted |= Q(sender_agency_id=user.agency_id, status=RequestStatus.DRAFT, drafted_by__isnull=True)
    urgency = Case(
        When(priority=Priority.URGENT, then=Value(0)),
        When(priority=Priority.HIGH, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = list(
        AssistanceRequest.objects.visible_to(user)
        .filter(wanted)
        .select_related("sender_agency", "receiver_agency")
        .annotate(urgency=urgency)
        .order_by("urgency", "due_at", "pk")[:limit]
    )
    for request in rows:
        if request.sender_agency_id == user.agency_id:
            request.other_agency = request.receiver_label(user)
        else:
            request.other_agency = request.sender_agency.short_name
    return rows


def request_news(user, limit: int = 5) -> dict:
    """The user's latest notifications about requests (an outcome recorded, a follow-up proposed, a move by the other
    side) and how many are unread: shown with the requests panel, since the hits inbox leaves them out."""
    from lintas.notifications.models import Notification, NotificationKind

    notes = Notification.objects.visible_to(user).filter(kind=NotificationKind.REQUEST)
    return {"request_notes": list(notes[:limit]), "request_unread": notes.unread().count()}


NEWS_HOURS = 24


def unread_request_news(user, limit: int = 3) -> list:
    """Unread notices about requests from the last day, newest first: shown under the banner of every page, so the
    sender learns of an outcome wherever they are; opening the request marks its notices read."""
    from django.utils import timezone

    from lintas.notifications.models import Notification, NotificationKind

    if not getattr(user, "is_authenticated", False):
        return []
    since = timezone.now() - dt.timedelta(hours=NEWS_HOURS)
    notes = Notification.objects.visible_to(user).unread().filter(kind=NotificationKind.REQUEST, created_at__gte=since)
    return list(notes[:limit])
