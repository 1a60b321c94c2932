"""Deadlines with a controlled clock: escalation at 50 % and 90 %, overdue notice to the sender, each once."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.assistance.deadlines import check_deadlines
from lintas.assistance.views import panels
from lintas.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def test_escalations_and_overdue_marking(make_user):
    drafter = make_user("spf", roles=(Role.INVESTIGATOR,))
    sender_sup = make_user("spf", roles=(Role.SUPERVISOR,))
    receiver_sup = make_user("pntl", roles=(Role.SUPERVISOR,))
    liaison = make_user("pntl", roles=(Role.LIAISON_OFFICER,))
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        request = services.draft_request(
            drafter,
            receivers=[Agency.objects.get(code="pntl")],
            type="stop_payment",
            priority="urgent",
            subject="Freeze",
            asked="Freeze it",
        )[0]
        assert request.due_at == start + dt.timedelta(hours=4)  # urgent: hours
        request = services.transition(sender_sup, request, "send_now", version=request.version)
        assert check_deadlines() == {"half": 0, "late": 0, "overdue": 0}
        clock.shift(dt.timedelta(hours=2, minutes=1))
        assert check_deadlines() == {"half": 1, "late": 0, "overdue": 0}
        assert check_deadlines() == {"half": 0, "late": 0, "overdue": 0}  # once
        assert list(panels(liaison)["due_soon"]) == [request]
        clock.shift(dt.timedelta(hours=1, minutes=36))
        assert check_deadlines() == {"half": 0, "late": 1, "overdue": 0}
        clock.shift(dt.timedelta(minutes=30))
        assert check_deadlines() == {"half": 0, "late": 0, "overdue": 1}
        assert list(panels(drafter)["overdue"]) == [request] == list(panels(liaison)["overdue"])
        assert check_deadlines() == {"half": 0, "late": 0, "overdue": 0}
    notes = Notification.objects.filter(kind=NotificationKind.DEADLINE)
    assert notes.filter(recipient=receiver_sup).count() == 3  # 50 %, 90 %, overdue
    assert notes.filter(recipient=drafter).count() == 1 and notes.filter(recipient=sender_sup).count() == 1
    assert not notes.filter(recipient=liaison).exists()


def test_answered_requests_are_not_escalated(make_user):
    drafter = make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR))
    make_user("pntl", roles=(Role.SUPERVISOR,))
    liaison = make_user("pntl", roles=(Role.LIAISON_OFFICER,))
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        request = services.draft_request(
            drafter,
            receivers=[Agency.objects.get(code="pntl")],
            type="general",
            priority="high",
            subject="Q",
            asked="Q",
        )[0]
        request = services.transition(drafter, request, "submit", version=request.version)
        other_sup = make_user("spf", roles=(Role.SUPERVISOR,))
        request = services.transition(other_sup, request, "approve", version=request.version)
        request = services.transition(liaison, request, "acknowledge", version=request.version)
        request = services.transition(liaison, request, "answer_fully", version=request.version)
        clock.shift(dt.timedelta(days=10))
        assert check_deadlines() == {"half": 0, "late": 0, "overdue": 0}
