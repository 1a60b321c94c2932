"""Who must act on an urgent request (the banner) and which requests wait for whom (the dashboard panel)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.assistance import services
from lintas.live.selectors import alerts_for, requests_needing

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "drafter": make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.drafter"),
        "drafting_sup": make_user("spf", roles=(Role.SUPERVISOR,), username="spf.sup1"),
        "supervisor": make_user("spf", roles=(Role.SUPERVISOR,), username="spf.sup2"),
        "spf_investigator": make_user("spf", roles=(Role.INVESTIGATOR,), username="spf.inv"),
        "pntl_liaison": make_user("pntl", roles=(Role.LIAISON_OFFICER,), username="pntl.lo"),
        "pntl_supervisor": make_user("pntl", roles=(Role.SUPERVISOR,), username="pntl.sup"),
        "pntl_investigator": make_user("pntl", roles=(Role.INVESTIGATOR,), username="pntl.inv"),
        "stranger": make_user("rmp", roles=(Role.LIAISON_OFFICER, Role.SUPERVISOR), username="rmp.lo"),
    }


def draft(user, priority="urgent", receiver="pntl"):
    return services.draft_request(
        user,
        receivers=[Agency.objects.get(code=receiver)],
        type="stop_payment",
        priority=priority,
        subject="Freeze beneficiary account",
        asked="Stop payment",
    )[0]


def move(user, request, action):
    request.refresh_from_db()
    return services.transition(user, request, action, version=request.version)


def keys(user):
    return [alert.key for alert in alerts_for(user)]


def test_urgent_request_awaiting_approval_alerts_the_supervisors_but_not_the_drafter(people):
    request = draft(people["drafting_sup"])
    move(people["drafting_sup"], request, "submit")
    assert keys(people["supervisor"]) == [f"approve-{request.pk}"]
    assert keys(people["drafting_sup"]) == []  # four eyes: the drafter cannot approve, so is not called to
    assert keys(people["spf_investigator"]) == []  # not a supervisor
    for name in ("pntl_liaison", "pntl_supervisor", "stranger"):  # not sent yet: the receiver knows nothing
        assert keys(people[name]) == [], name


def test_urgent_request_sent_alerts_the_receivers_liaison_officers_and_supervisors_until_acknowledged(people):
    request = draft(people["drafter"])
    move(people["drafter"], request, "submit")
    move(people["supervisor"], request, "approve")
    assert keys(people["pntl_liaison"]) == [f"acknowledge-{request.pk}"]
    assert keys(people["pntl_supervisor"]) == [f"acknowledge-{request.pk}"]
    assert keys(people["pntl_investigator"]) == []
    assert keys(people["stranger"]) == []  # another agency
    assert keys(people["supervisor"]) == []  # approved: nothing left for the sender's supervisors
    alert = alerts_for(people["pntl_liaison"])[0]
    assert (alert.action_label, alert.other_agency) == ("Acknowledge", request.sender_agency.short_name)
    move(people["pntl_liaison"], request, "acknowledge")
    assert keys(people["pntl_liaison"]) == []


def test_routine_requests_raise_no_alert_but_wait_in_the_panel_urgent_first(people):
    routine = draft(people["drafter"], priority="routine")
    urgent = draft(people["drafter"], priority="urgent")
    for request in (routine, urgent):
        move(people["drafter"], request, "submit")
        move(people["supervisor"], request, "approve")
    assert keys(people["pntl_liaison"]) == [f"acknowledge-{urgent.pk}"]
    assert [r.pk for r in requests_needing(people["pntl_liaison"])] == [urgent.pk, routine.pk]
    assert requests_needing(people["pntl_liaison"])[0].other_agency == urgent.sender_agency.short_name
    assert requests_needing(people["stranger"]) == []
    assert requests_needing(people["pntl_investigator"]) == []  # nothing assigned to them yet
    move(people["pntl_liaison"], urgent, "acknowledge")
    move(people["pntl_investigator"], urgent, "start")
    assert [r.pk for r in requests_needing(people["pntl_investigator"])] == [urgent.pk]


def test_the_drafter_sees_their_draft_waiting_and_supervisors_what_awaits_approval(people):
    request = draft(people["drafter"], priority="high")
    assert [r.pk for r in requests_needing(people["drafter"])] == [request.pk]
    assert requests_needing(people["supervisor"]) == []
    move(people["drafter"], request, "submit")
    assert [r.pk for r in requests_needing(people["supervisor"])] == [request.pk]
    assert requests_needing(people["pntl_liaison"]) == []


def test_banner_page_names_the_request_its_action_and_time_left(people, signed_in):
    request = draft(people["drafter"])
    move(people["drafter"], request, "submit")
    move(people["supervisor"], request, "approve")
    request.refresh_from_db()
    request.due_at = timezone.now() + dt.timedelta(hours=2, minutes=1)
    request.save(update_fields=["due_at"])
    body = signed_in(people["pntl_liaison"]).get("/live/banner/").content.decode()
    assert 'role="alert"' in body
    assert f"Acknowledge {request.reference} — Urgent stop-payment (freeze) (SPF)" in body
    assert "due in 2\xa0hours" in body
    assert 'data-alert-count="1"' in body and "Allow browser notifications" in body
    quiet = signed_in(people["pntl_investigator"]).get("/live/banner/").content.decode()
    assert 'role="alert"' not in quiet and 'data-alert-count="0"' in quiet
    assert request.reference not in signed_in(people["stranger"]).get("/live/banner/").content.decode()


def test_dashboard_shows_the_requests_panel_and_keeps_request_notifications_out_of_my_hits(people, signed_in):
    request = draft(people["drafter"])
    move(people["drafter"], request, "submit")
    move(people["supervisor"], request, "approve")
    page = signed_in(people["pntl_liaison"]).get("/").content.decode()
    assert "Requests waiting for me" in page
    panel = page[page.index('id="requests-needing-me"') :]
    assert request.reference in panel[: panel.index("</table>")]
    inbox = page[page.index('id="inbox"') :]
    assert request.reference not in inbox[: inbox.index("All my hits")]  # its notification is not a hit
    assert 'hx-trigger="lintas:live from:body" hx-sync="this:replace"' in page and "every 3s" not in page


def test_the_officer_on_duty_is_alerted_and_may_acknowledge_whatever_their_role(people, make_user):
    from lintas.agencies.services import add_shift

    admin = make_user("pntl", roles=(Role.AGENCY_ADMIN,), username="pntl.admin")
    desk = people["pntl_investigator"]  # not a liaison officer: only the roster makes them act
    now = timezone.now()
    add_shift(
        admin,
        Agency.objects.get(code="pntl"),
        officer_id=desk.pk,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=7),
    )
    request = draft(people["drafter"])
    move(people["drafter"], request, "submit")
    move(people["supervisor"], request, "approve")
    assert keys(desk) == [f"acknowledge-{request.pk}"]
    request.refresh_from_db()
    assert "acknowledge" in services.allowed_actions(desk, request)
    move(desk, request, "acknowledge")
    assert keys(desk) == [] and keys(people["pntl_liaison"]) == []
    # Off duty, the same officer is neither called nor allowed to acknowledge.
    other = draft(people["drafter"])
    move(people["drafter"], other, "submit")
    move(people["supervisor"], other, "approve")
    with time_machine.travel(now + dt.timedelta(hours=9)):
        assert keys(desk) == []
        other.refresh_from_db()
        assert "acknowledge" not in services.allowed_actions(desk, other)
        with pytest.raises(PermissionDenied):
            services.transition(desk, other, "acknowledge", version=other.version)


def test_the_sender_reads_the_outcome_and_finds_the_proposed_follow_up_in_the_requests_panel(people, signed_in):
    from decimal import Decimal

    from lintas.assistance.outcomes import TransferIn, record_outcome

    request = draft(people["drafter"])
    move(people["drafter"], request, "submit")
    move(people["supervisor"], request, "approve")
    move(people["pntl_liaison"], request, "acknowledge")
    request.refresh_from_db()
    moved = timezone.now() - dt.timedelta(hours=3)
    _outcome, [follow_up] = record_outcome(
        people["pntl_liaison"],
        request,
        amount_frozen=Decimal("39000000"),
        accounts_frozen=1,
        transfers=[TransferIn("KTB 123-4-56789-0", Decimal("3300000"), "USD", moved)],
    )
    # The follow-up Lintas drafted waits for SPF's drafters (nobody drafted it), never for PNTL.
    assert follow_up.pk in [r.pk for r in requests_needing(people["drafter"])]
    assert follow_up.pk not in [r.pk for r in requests_needing(people["pntl_liaison"])]
    panel = signed_in(people["drafter"]).get("/live/requests/").content.decode()
    assert f"PNTL recorded the outcome of {request.reference}" in panel
    assert f"Lintas drafted a follow-up stop-payment {follow_up.reference}" in panel
    assert 'id="request-notifications"' in panel and "4 unread" in panel  # approved, acknowledged, outcome, follow-up
    pntl_panel = signed_in(people["pntl_liaison"]).get("/live/requests/").content.decode()
    assert follow_up.reference not in pntl_panel


def test_news_of_a_request_shows_under_the_banner_of_every_page_until_the_request_is_opened(people, signed_in):
    request = draft(people["drafter"])
    move(people["drafter"], request, "submit")
    move(people["supervisor"], request, "approve")
    move(people["pntl_liaison"], request, "acknowledge")
    client = signed_in(people["drafter"])
    banner = client.get("/live/banner/").content.decode()
    assert 'id="request-news"' in banner and f"{request.reference} to PNTL is now: Acknowledged." in banner
    assert "Acknowledged" not in signed_in(people["stranger"]).get("/live/banner/").content.decode()
    client.get(f"/requests/{request.pk}/")  # opened: its notices are read
    assert 'id="request-news"' not in client.get("/live/banner/").content.decode()
    # Only the reader's own notices are marked: the supervisor's copy of the same news stays unread.
    assert 'id="request-news"' in signed_in(people["supervisor"]).get("/live/banner/").content.decode()


def test_a_request_in_the_urgent_banner_is_not_repeated_as_news(people, signed_in):
    request = draft(people["drafter"])
    move(people["drafter"], request, "submit")
    move(people["supervisor"], request, "approve")
    banner = signed_in(people["pntl_liaison"]).get("/live/banner/").content.decode()
    assert f"Acknowledge {request.reference}" in banner and 'id="request-news"' not in banner
