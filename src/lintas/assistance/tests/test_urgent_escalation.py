"""Urgent requests wait for nobody (decision 0048), with a controlled clock: sent at 10:00 and not acknowledged, the
next officer on duty is told at 10:15, the supervisors and the 24/7 contact point at 10:30; each step once."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from lintas.accounts.choices import Role
from lintas.agencies import services as agencies
from lintas.agencies.models import Agency
from lintas.agencies.selectors import contact_email, on_duty
from lintas.assistance import services
from lintas.assistance.escalation import escalate_unacknowledged
from lintas.assistance.models import RequestEscalation
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.notifications.models import Notification

pytestmark = pytest.mark.django_db

DILI = dt.timezone(dt.timedelta(hours=9))
TEN = dt.datetime(2026, 12, 7, 10, 0, tzinfo=DILI)
NOTHING = {"on_duty": 0, "supervisors": 0}


@pytest.fixture
def desk(make_user):
    """PNTL's desk: two officers on duty (1st and 2nd; not liaison officers, so that a notice to them is the roster's
    doing), a liaison officer, a supervisor reading Korean, an admin who keeps the roster; SPF sends."""
    pntl = Agency.objects.get(code="pntl")
    pntl.contact_24_7 = "Duty desk +670 7000 0000, e-mail: duty.desk@pntl.example.tl (24 hours)"
    pntl.save()
    people = {
        "first": make_user("pntl", roles=(Role.INVESTIGATOR,), first_name="Ana", last_name="First"),
        "second": make_user("pntl", roles=(Role.INVESTIGATOR,), first_name="Rui", last_name="Second"),
        "liaison": make_user("pntl", roles=(Role.LIAISON_OFFICER,)),
        "supervisor": make_user("pntl", roles=(Role.SUPERVISOR,), language="ko"),
        "admin": make_user("pntl", roles=(Role.AGENCY_ADMIN,)),
        "sender": make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR)),
    }
    with time_machine.travel(TEN - dt.timedelta(hours=1), tick=False):
        for name, position in (("first", 1), ("second", 2)):
            agencies.add_shift(
                people["admin"],
                pntl,
                officer_id=people[name].pk,
                starts_at=TEN - dt.timedelta(hours=2),
                ends_at=TEN + dt.timedelta(hours=6),
                position=position,
            )
    people["pntl"] = pntl
    return people


def _send(sender, priority="urgent", approver=None):
    request = services.draft_request(
        sender,
        receivers=[Agency.objects.get(code="pntl")],
        type="stop_payment",
        priority=priority,
        subject="Freeze",
        asked="Freeze it",
    )[0]
    if approver is None:  # an urgent request: a supervisor sends it at once
        return services.transition(sender, request, "send_now", version=request.version)
    request = services.transition(sender, request, "submit", version=request.version)
    return services.transition(approver, request, "approve", version=request.version)


def _told(user, request):
    return Notification.objects.filter(recipient=user, url=f"/requests/{request.pk}/").count()


def test_sent_at_ten_nobody_acknowledges(desk, django_capture_on_commit_callbacks):
    with time_machine.travel(TEN, tick=False) as clock:
        request = _send(desk["sender"])
        # the first officer on duty hears at once, beside the liaison officers; the second does not yet
        assert _told(desk["first"], request) == 1 and _told(desk["liaison"], request) == 1
        assert _told(desk["second"], request) == 0
        clock.move_to(TEN + dt.timedelta(minutes=14, seconds=59))
        assert escalate_unacknowledged() == NOTHING
        clock.move_to(TEN + dt.timedelta(minutes=15))
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate_unacknowledged() == {"on_duty": 1, "supervisors": 0}
        assert _told(desk["second"], request) == 1 and _told(desk["supervisor"], request) == 0
        # In PNTL's first language Lintas speaks (Portuguese), whatever the worker's.
        assert [m.subject for m in mail.outbox if m.to == ["duty.desk@pntl.example.tl"]] == [
            f"Lintas: pedido urgente {request.reference} não confirmado"
        ]
        assert escalate_unacknowledged() == NOTHING  # each step once, however often the job runs
        clock.move_to(TEN + dt.timedelta(minutes=29))
        assert escalate_unacknowledged() == NOTHING
        clock.move_to(TEN + dt.timedelta(minutes=30))
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate_unacknowledged() == {"on_duty": 0, "supervisors": 1}
        assert escalate_unacknowledged() == NOTHING
        clock.move_to(TEN + dt.timedelta(hours=2))
        assert escalate_unacknowledged() == NOTHING
    # the supervisor reads it in their own language (here the request type's label), whatever the job's language
    note = Notification.objects.get(recipient=desk["supervisor"], text__contains=request.reference)
    assert "긴급 지급정지(동결)" in note.text, note.text
    assert _told(desk["second"], request) == 1 and _told(desk["first"], request) == 1
    assert len([m for m in mail.outbox if m.to == ["duty.desk@pntl.example.tl"]]) == 1  # the contact once
    steps = list(RequestEscalation.objects.filter(request=request).values_list("step", "minutes", "emailed_to"))
    assert steps == [(1, 15, "duty.desk@pntl.example.tl"), (2, 30, "")]
    events = AuditEvent.objects.filter(action=Action.REQUEST_ESCALATED, object_id=str(request.pk)).order_by("pk")
    assert [e.details["step"] for e in events] == ["on_duty", "supervisors"]
    assert events[0].details["to"] == [desk["second"].pk] and events[0].agency == desk["pntl"]


def test_acknowledged_at_twenty_past_stops_further_steps(desk):
    with time_machine.travel(TEN, tick=False) as clock:
        request = _send(desk["sender"])
        clock.move_to(TEN + dt.timedelta(minutes=15))
        assert escalate_unacknowledged() == {"on_duty": 1, "supervisors": 0}
        clock.move_to(TEN + dt.timedelta(minutes=20))
        services.transition(desk["liaison"], request, "acknowledge", version=request.version)
        clock.move_to(TEN + dt.timedelta(minutes=45))
        assert escalate_unacknowledged() == NOTHING
    assert list(RequestEscalation.objects.values_list("step", flat=True)) == [1]
    assert _told(desk["supervisor"], request) == 0


def test_non_urgent_requests_never_escalate(desk, make_user):
    approver = make_user("spf", roles=(Role.SUPERVISOR,))
    with time_machine.travel(TEN, tick=False) as clock:
        request = _send(desk["sender"], priority="high", approver=approver)
        assert request.status == "sent"
        assert _told(desk["first"], request) == 0  # the duty desk is for urgent requests
        for minutes in (15, 30, 300):
            clock.move_to(TEN + dt.timedelta(minutes=minutes))
            assert escalate_unacknowledged() == NOTHING
    assert not RequestEscalation.objects.exists()


def test_nobody_else_on_duty_goes_straight_to_supervisors_and_contact(desk, django_capture_on_commit_callbacks):
    desk["pntl"].duty_shifts.filter(officer=desk["second"]).delete()
    with time_machine.travel(TEN, tick=False) as clock:
        request = _send(desk["sender"])
        clock.move_to(TEN + dt.timedelta(minutes=15))
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate_unacknowledged() == {"on_duty": 0, "supervisors": 1}
        clock.move_to(TEN + dt.timedelta(minutes=30))
        assert escalate_unacknowledged() == NOTHING
    assert _told(desk["supervisor"], request) == 1
    assert len([m for m in mail.outbox if m.to == ["duty.desk@pntl.example.tl"]]) == 1
    assert list(RequestEscalation.objects.values_list("step", "minutes")) == [(2, 15)]


def test_the_receivers_setting_sets_the_time(desk):
    agencies.set_escalation_minutes(desk["admin"], desk["pntl"], 5)
    with time_machine.travel(TEN, tick=False) as clock:
        request = _send(desk["sender"])
        clock.move_to(TEN + dt.timedelta(minutes=4))
        assert escalate_unacknowledged() == NOTHING
        clock.move_to(TEN + dt.timedelta(minutes=5))
        assert escalate_unacknowledged() == {"on_duty": 1, "supervisors": 0}
        clock.move_to(TEN + dt.timedelta(minutes=10))
        assert escalate_unacknowledged() == {"on_duty": 0, "supervisors": 1}
    assert _told(desk["supervisor"], request) == 1


def test_job_down_catches_up_with_both_steps_once(desk):
    with time_machine.travel(TEN, tick=False) as clock:
        _send(desk["sender"])
        clock.move_to(TEN + dt.timedelta(minutes=40))
        assert escalate_unacknowledged() == {"on_duty": 1, "supervisors": 1}
        assert escalate_unacknowledged() == NOTHING


def test_request_page_shows_the_escalation_to_both_sides_names_only_to_the_receiver(desk, signed_in):
    with time_machine.travel(TEN, tick=False) as clock:
        request = _send(desk["sender"])
        clock.move_to(TEN + dt.timedelta(minutes=15))
        escalate_unacknowledged()
        clock.move_to(TEN + dt.timedelta(minutes=30))
        escalate_unacknowledged()
    receiver_page = signed_in(desk["liaison"]).get(f"/requests/{request.pk}/").content.decode()
    assert 'id="request-escalation"' in receiver_page
    assert "15 min without acknowledgement: escalated to Rui Second (on duty, order 2)." in receiver_page
    assert "30 min without acknowledgement: 1 supervisor told." in receiver_page
    assert "24/7 contact point e-mailed at duty.desk@pntl.example.tl." in receiver_page
    sender_page = signed_in(desk["sender"]).get(f"/requests/{request.pk}/").content.decode()
    assert "15 min without acknowledgement: escalated to the next officer on duty." in sender_page
    assert "30 min without acknowledgement: escalated to the supervisors." in sender_page
    assert "Rui Second" not in sender_page and "duty.desk@" not in sender_page
    assert "24/7 contact point e-mailed." in sender_page


def test_no_escalation_no_block(desk, signed_in):
    with time_machine.travel(TEN, tick=False):
        request = _send(desk["sender"])
    assert 'id="request-escalation"' not in signed_in(desk["liaison"]).get(f"/requests/{request.pk}/").content.decode()


def test_on_duty_is_ordered_and_follows_the_clock(desk):
    pntl = desk["pntl"]
    assert on_duty(pntl, TEN) == [desk["first"], desk["second"]]
    assert [o.duty_position for o in on_duty(pntl, TEN)] == [1, 2]
    assert on_duty(pntl, TEN + dt.timedelta(hours=6)) == []  # the end is exclusive
    assert on_duty(pntl.pk, TEN - dt.timedelta(hours=2)) == [desk["first"], desk["second"]]
    desk["first"].is_active = False
    desk["first"].save()
    assert on_duty(pntl, TEN) == [desk["second"]]  # a disabled account is not on duty
    assert on_duty(Agency.objects.get(code="spf"), TEN) == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("", ""),
        ("+670 7000 0000", ""),
        ("desk: duty@pntl.example.tl.", "duty@pntl.example.tl"),
        ("<not an address@> then ops@spf.example.sg; other@x.example", "ops@spf.example.sg"),
        ("Telegram @pntl_desk", ""),
    ],
)
def test_contact_email_is_read_from_the_24_7_contact_point(text, address):
    assert contact_email(Agency(contact_24_7=text)) == address


def test_the_periodic_job_runs_every_minute_and_escalates(desk):
    from huey.contrib.djhuey import HUEY

    from lintas.assistance.tasks import escalate_unacknowledged_urgent

    periodic = {task.name for task in HUEY.read_periodic(dt.datetime(2026, 12, 7, 1, 17))}
    assert "escalate_unacknowledged_urgent" in periodic
    with time_machine.travel(TEN, tick=False) as clock:
        _send(desk["sender"])
        clock.move_to(TEN + dt.timedelta(minutes=15))
        assert escalate_unacknowledged_urgent.call_local() == {"on_duty": 1, "supervisors": 0}
