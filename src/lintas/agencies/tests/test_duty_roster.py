"""The duty roster page (decision 0048): the agency's own admins and supervisors keep it, its members read it, other
agencies get 404; bad input is refused by field and changes nothing; every change is audited."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from lintas.accounts.choices import Role
from lintas.agencies import services
from lintas.agencies.models import Agency, DutyShift
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

# 2026-12-07 09:00 in Singapore (UTC+8) is 01:00 UTC
NOW = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
URL = "/directory/spf/duty/"


@pytest.fixture
def officer(make_user):
    return make_user("spf", roles=(Role.LIAISON_OFFICER,), first_name="Wei", last_name="Desk", username="wei.desk")


@pytest.fixture
def supervisor(make_user):
    return make_user("spf", roles=(Role.SUPERVISOR,), username="spf.supervisor")


def _shift(who, **overrides):
    return {
        "officer": who.pk,
        "starts_at": "2026-12-07T08:00",
        "ends_at": "2026-12-07T20:00",
        "position": "1",
        **overrides,
    }


def test_supervisor_adds_a_shift_entered_in_the_agencys_zone(supervisor, officer, signed_in):
    with time_machine.travel(NOW, tick=False):
        client = signed_in(supervisor)
        response = client.post("/directory/spf/duty/shifts/", _shift(officer))
        assert response.status_code == 302 and response["Location"] == URL
        shift = DutyShift.objects.get()
        # 08:00-20:00 Singapore time is stored as 00:00-12:00 UTC, whatever the supervisor's own zone
        assert (shift.starts_at, shift.ends_at) == (
            dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC),
        )
        page = client.get(URL).content.decode()
    assert 'id="on-duty-now"' in page and "Wei Desk" in page.split('id="week-heading"')[0]
    event = AuditEvent.objects.get(action=Action.DUTY_SHIFT_ADDED)
    assert event.actor == supervisor and event.details["officer"] == officer.pk and event.agency.code == "spf"


def test_remove_a_shift(supervisor, officer, signed_in):
    with time_machine.travel(NOW, tick=False):
        shift = services.add_shift(
            supervisor, supervisor.agency, officer_id=officer.pk, starts_at=NOW, ends_at=NOW + dt.timedelta(hours=8)
        )
        response = signed_in(supervisor).post(f"/directory/spf/duty/shifts/{shift.pk}/remove/")
    assert response.status_code == 302 and not DutyShift.objects.exists()
    assert AuditEvent.objects.get(action=Action.DUTY_SHIFT_REMOVED).object_id == str(shift.pk)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2026-12-07T07:00"}, "ends_at"),  # ends before it starts
        ({"ends_at": "2026-12-07T08:00"}, "ends_at"),  # ends when it starts
        ({"ends_at": "2026-12-20T08:00"}, "ends_at"),  # longer than seven days
        ({"starts_at": "2026-12-01T08:00", "ends_at": "2026-12-01T20:00"}, "starts_at"),  # long past
        ({"starts_at": "2028-12-01T08:00", "ends_at": "2028-12-01T20:00"}, "starts_at"),  # too far ahead
        ({"starts_at": "0001-01-01T00:00"}, "starts_at"),  # a year no zone converts
        ({"starts_at": "9999-12-31T23:59"}, "starts_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"position": "0"}, "position"),
        ({"position": "10"}, "position"),
        ({"officer": "99999999999999999999999"}, "officer"),
        ({"officer": "x"}, "officer"),
    ],
)
def test_bad_shifts_are_refused_by_field_and_change_nothing(overrides, field, supervisor, officer, signed_in):
    with time_machine.travel(NOW, tick=False):
        response = signed_in(supervisor).post("/directory/spf/duty/shifts/", _shift(officer, **overrides))
    assert response.status_code == 200
    assert response.context["shift_form"].errors.get(field), response.context["shift_form"].errors
    assert not DutyShift.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.DUTY_SHIFT_ADDED).exists()


def test_an_officer_of_another_agency_or_disabled_is_refused(supervisor, officer, make_user, signed_in):
    foreign = make_user("pntl", roles=(Role.LIAISON_OFFICER,))
    disabled = make_user("spf", roles=(Role.LIAISON_OFFICER,), is_active=False)
    with time_machine.travel(NOW, tick=False):
        client = signed_in(supervisor)
        for person in (foreign, disabled):
            response = client.post("/directory/spf/duty/shifts/", _shift(person))
            assert response.status_code == 200 and response.context["shift_form"].errors.get("officer")
        # the service refuses them too, whatever the form offered
        for person in (foreign, disabled):
            with pytest.raises(services.ValidationError) as refused:
                services.add_shift(
                    supervisor, supervisor.agency, officer_id=person.pk, starts_at=NOW, ends_at=NOW + dt.timedelta(1)
                )
            assert "officer" in refused.value.message_dict
    assert not DutyShift.objects.exists()


def test_overlapping_shifts_of_one_officer_are_refused(supervisor, officer, signed_in):
    with time_machine.travel(NOW, tick=False):
        client = signed_in(supervisor)
        assert client.post("/directory/spf/duty/shifts/", _shift(officer)).status_code == 302
        response = client.post(
            "/directory/spf/duty/shifts/", _shift(officer, starts_at="2026-12-07T19:00", ends_at="2026-12-08T07:00")
        )
        assert response.status_code == 200 and response.context["shift_form"].errors.get("officer")
        # back to back is fine
        response = client.post(
            "/directory/spf/duty/shifts/", _shift(officer, starts_at="2026-12-07T20:00", ends_at="2026-12-08T08:00")
        )
        assert response.status_code == 302
    assert DutyShift.objects.count() == 2


def test_another_agency_gets_404_for_everything(officer, supervisor, make_user, signed_in):
    with time_machine.travel(NOW, tick=False):
        shift = services.add_shift(
            supervisor, supervisor.agency, officer_id=officer.pk, starts_at=NOW, ends_at=NOW + dt.timedelta(hours=8)
        )
        other = signed_in(make_user("pntl", roles=(Role.AGENCY_ADMIN, Role.SUPERVISOR)))
        assert other.get(URL).status_code == 404
        assert other.post("/directory/spf/duty/shifts/", _shift(officer)).status_code == 404
        assert other.post(f"/directory/spf/duty/shifts/{shift.pk}/remove/").status_code == 404
        assert other.post("/directory/spf/duty/escalation/", {"escalate_after_minutes": "5"}).status_code == 404
        # their own roster URL with SPF's shift id: 404 as well
        assert other.post(f"/directory/pntl/duty/shifts/{shift.pk}/remove/").status_code == 404
        assert other.get("/directory/nosuch/duty/").status_code == 404
    # each refusal is in SPF's trail; an unknown code, and a shift not on the roster the URL names, in the platform's
    refused = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, object_type="agencies.dutyshift")
    assert refused.filter(agency__code="spf").count() == 4 and refused.filter(agency__isnull=True).count() == 2
    assert not refused.filter(agency__code="pntl").exists()
    assert DutyShift.objects.count() == 1
    assert Agency.objects.get(code="spf").escalate_after_minutes == 15


def test_members_read_the_roster_but_only_admins_and_supervisors_keep_it(officer, supervisor, signed_in):
    with time_machine.travel(NOW, tick=False):
        shift = services.add_shift(
            supervisor, supervisor.agency, officer_id=officer.pk, starts_at=NOW, ends_at=NOW + dt.timedelta(hours=8)
        )
        client = signed_in(officer)
        page = client.get(URL)
        assert page.status_code == 200 and page.context["shift_form"] is None
        assert "Add a shift" not in page.content.decode() and "Remove" not in page.content.decode()
        assert (
            client.post("/directory/spf/duty/shifts/", _shift(officer, starts_at="2026-12-08T08:00")).status_code == 403
        )
        assert client.post(f"/directory/spf/duty/shifts/{shift.pk}/remove/").status_code == 403
        assert client.post("/directory/spf/duty/escalation/", {"escalate_after_minutes": "5"}).status_code == 403
    assert DutyShift.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=officer).count() == 3


def test_admin_sets_the_escalation_time_within_bounds(admin_user, supervisor, signed_in):
    client = signed_in(admin_user)
    for value in ("4", "241", "", "x", "15.5"):
        response = client.post("/directory/spf/duty/escalation/", {"escalate_after_minutes": value})
        assert response.status_code == 200 and response.context["escalation_form"].errors["escalate_after_minutes"]
    assert Agency.objects.get(code="spf").escalate_after_minutes == 15
    assert client.post("/directory/spf/duty/escalation/", {"escalate_after_minutes": "30"}).status_code == 302
    assert Agency.objects.get(code="spf").escalate_after_minutes == 30
    event = AuditEvent.objects.get(action=Action.AGENCY_UPDATED)
    assert event.details == {"escalate_after_minutes": {"from": 15, "to": 30}}
    # a supervisor keeps shifts but not this setting
    assert (
        signed_in(supervisor).post("/directory/spf/duty/escalation/", {"escalate_after_minutes": "5"}).status_code
        == 403
    )
    assert Agency.objects.get(code="spf").escalate_after_minutes == 30


def test_week_view_shows_shifts_by_day_in_the_agencys_zone(supervisor, officer, signed_in):
    with time_machine.travel(NOW, tick=False):
        # 22:00 Monday to 06:00 Tuesday, Singapore time: shown on both days
        services.add_shift(
            supervisor,
            supervisor.agency,
            officer_id=officer.pk,
            starts_at=dt.datetime(2026, 12, 7, 14, 0, tzinfo=dt.UTC),
            ends_at=dt.datetime(2026, 12, 7, 22, 0, tzinfo=dt.UTC),
            position=2,
        )
        client = signed_in(supervisor)
        week = client.get(URL).context["week"]
        assert [day["date"].isoformat() for day in week][:2] == ["2026-12-07", "2026-12-08"]
        assert [len(day["shifts"]) for day in week] == [1, 1, 0, 0, 0, 0, 0]
        assert week[0]["shifts"][0]["starts"].hour == 22
        assert [len(d["shifts"]) for d in client.get(URL + "?week=2026-12-14").context["week"]] == [0] * 7
        for hostile in ("0001-01-01", "9999-12-31", "x", "2026-13-01"):
            assert client.get(URL + "?week=" + hostile).status_code == 200


def test_api_reads_the_own_roster_only(supervisor, officer, make_user):
    from lintas.accounts.services import create_api_token

    with time_machine.travel(NOW, tick=False):
        services.add_shift(
            supervisor, supervisor.agency, officer_id=officer.pk, starts_at=NOW, ends_at=NOW + dt.timedelta(hours=8)
        )
        _, own = create_api_token(officer, name="t", scope="read", days=1)
        response = Client().get("/api/v1/agencies/spf/duty", HTTP_AUTHORIZATION=f"Bearer {own}")
        assert response.status_code == 200
        body = response.json()
        assert body["on_duty"] == [{"username": "wei.desk", "name": "Wei Desk", "position": 1}]
        assert body["escalate_after_minutes"] == 15 and body["time_zone"] == "Asia/Singapore"
        assert [s["starts_at"] for s in body["shifts"]] == ["2026-12-07T01:00:00Z"]
        _, foreign = create_api_token(make_user("pntl", roles=(Role.AGENCY_ADMIN,)), name="t", scope="read", days=1)
        for code in ("spf", "nosuch", "x" * 300):
            response = Client().get(f"/api/v1/agencies/{code}/duty", HTTP_AUTHORIZATION=f"Bearer {foreign}")
            assert response.status_code == 404
        # a NUL (which PostgreSQL refuses in a query) is refused as input, never a 500
        response = Client().get("/api/v1/agencies/sp%00f/duty", HTTP_AUTHORIZATION=f"Bearer {own}")
        assert response.status_code in {404, 422}
