import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.programmes import services
from lintas.programmes.models import ChecklistTask, Edition, ProgrammeSession
from lintas.programmes.tests.helpers import SEOUL, edition, organiser, programme

pytestmark = pytest.mark.django_db


def test_every_write_leaves_its_audit_event(make_user):
    actor = organiser(make_user)
    made = edition(actor)
    task = made.checklist.get()
    services.complete_checklist_task(actor, task)
    services.update_edition(actor, made, theme="Cyber-financial crimes")
    session = made.sessions.get()
    services.update_session(actor, session, room="Hall B")
    actions = list(AuditEvent.objects.filter(actor=actor).values_list("action", flat=True))
    for action in (
        Action.EDITION_CREATED,
        Action.EXPERT_ADDED,
        Action.SESSION_ADDED,
        Action.CHECKLIST_TASK_ADDED,
        Action.CHECKLIST_TASK_DONE,
        Action.EDITION_UPDATED,
        Action.SESSION_UPDATED,
    ):
        assert action in actions
    updated = AuditEvent.objects.get(action=Action.EDITION_UPDATED)
    assert updated.details["changed"] == ["theme"] and updated.agency.code == "knpa"


def test_only_organisers_of_the_host_or_the_secretariat_write(make_user):
    actor = organiser(make_user)
    made = edition(actor)
    plain = make_user("knpa", roles=(Role.AGENCY_ADMIN, Role.SUPERVISOR))
    elsewhere = organiser(make_user, "spf")
    secretariat = organiser(make_user, "aseanapol")
    for user in (plain, elsewhere):
        with pytest.raises(PermissionDenied):
            services.update_edition(user, made, theme="x")
        with pytest.raises(PermissionDenied):
            services.plan_next_edition(user, made)
    services.update_edition(secretariat, made, theme="set by the Secretariat")
    with pytest.raises(PermissionDenied):
        services.add_expert(plain, name="Someone")
    with pytest.raises(PermissionDenied):  # an SPF organiser cannot create an edition hosted by KNPA
        services.create_edition(
            elsewhere, programme(), host_agency=Agency.objects.get(code="knpa"),
            title="t", starts_on="2022-01-01", ends_on="2022-01-02",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"title": "nul\x00"}, "title"),
        ({"starts_on": "2021-13-01"}, "starts_on"),
        ({"ends_on": "2021-11-01"}, "ends_on"),  # before the start
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"online_link": "javascript:alert(1)"}, "online_link"),
        ({"languages": "en"}, "languages"),
        ({"status": "cancelled"}, "status"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_edition_input_is_refused_by_field_and_changes_nothing(make_user, fields, field):
    actor = organiser(make_user)
    made = edition(actor)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.update_edition(actor, made, **fields)
    assert field in refused.value.message_dict
    assert AuditEvent.objects.count() == before
    made.refresh_from_db()
    assert made.title == "1st edition" and made.time_zone == "Asia/Seoul"


def test_session_times_are_checked_and_a_naive_time_is_the_editions(make_user):
    actor = organiser(make_user)
    made = edition(actor)
    with pytest.raises(ValidationError) as refused:
        services.add_session(
            actor, made, kind="lecture", topic="t", starts_at="2021-11-16T10:00", ends_at="2021-11-16T09:00"
        )
    assert "ends_at" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.add_session(actor, made, kind="karaoke", topic="", starts_at="x", ends_at="2021-11-16T09:00")
    assert {"kind", "topic", "starts_at"} <= set(refused.value.message_dict)
    session = services.add_session(
        actor, made, kind="lecture", topic="Trends", starts_at="2021-11-16T10:00", ends_at="2021-11-16T11:00"
    )
    assert session.starts_at == dt.datetime(2021, 11, 16, 1, 0, tzinfo=dt.UTC)  # 10:00 in Seoul


def test_an_expert_named_twice_in_a_session_is_refused(make_user):
    actor = organiser(make_user)
    made = edition(actor)
    expert = services.add_expert(actor, name="Franky Cheung", organisation="INTERPOL")
    with pytest.raises(ValidationError) as refused:
        services.add_session(
            actor, made, kind="panel", topic="p", starts_at="2021-11-16T10:00", ends_at="2021-11-16T11:00",
            experts=[(expert, "panellist"), (expert, "moderator")],
        )  # fmt: skip
    assert "experts" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.add_expert(actor, name="No mail", email="not-an-address")


def test_plan_next_edition_copies_the_structure_52_weeks_forward(make_user):
    actor = organiser(make_user)
    first = edition(actor, status="completed", venue="KNPA HQ")
    services.complete_checklist_task(actor, first.checklist.get())
    second = services.plan_next_edition(actor, first)
    assert (second.number, second.status) == (2, "planning")
    assert second.host_agency_id == first.host_agency_id
    assert set(second.co_organisers.values_list("code", flat=True)) == {"aseanapol"}
    assert second.venue == "KNPA HQ" and second.time_zone == "Asia/Seoul"
    # Monday 15 November 2021 -> Monday 14 November 2022: the same weekdays, a week of five days stays one.
    assert second.starts_on == dt.date(2022, 11, 14) and second.starts_on.weekday() == first.starts_on.weekday()
    assert second.ends_on == dt.date(2022, 11, 18)
    session = second.sessions.get()
    local = session.starts_at.astimezone(SEOUL)
    assert (local.date(), local.hour, local.minute) == (dt.date(2022, 11, 16), 14, 0)
    assert list(session.roles.values_list("expert__name", "role")) == [("JUNG Hye Ryun", "moderator")]
    task = second.checklist.get()
    assert task.done is False and task.due_on == dt.date(2022, 8, 31)
    assert first.checklist.get().done is True  # the original is untouched
    event = AuditEvent.objects.get(action=Action.EDITION_PLANNED)
    assert event.details == {"from_edition": first.pk, "number": 2}
    with pytest.raises(ValidationError):  # the 2nd exists: planning again from the 1st is refused
        services.plan_next_edition(actor, first)
    assert Edition.objects.count() == 2 and ProgrammeSession.objects.count() == 2 and ChecklistTask.objects.count() == 2


def test_plan_next_keeps_the_local_time_across_a_daylight_saving_change(make_user):
    import zoneinfo

    actor = organiser(make_user, "spf")
    made = services.create_edition(
        actor, programme(), host_agency=actor.agency, title="London", starts_on="2023-03-28",
        ends_on="2023-03-30", time_zone="Europe/London",
    )  # fmt: skip
    london = zoneinfo.ZoneInfo("Europe/London")
    services.add_session(
        actor, made, kind="opening", topic="Opening",
        starts_at=dt.datetime(2023, 3, 28, 9, 0, tzinfo=london), ends_at=dt.datetime(2023, 3, 28, 10, 0, tzinfo=london),
    )  # fmt: skip
    nxt = services.plan_next_edition(actor, made)
    local = nxt.sessions.get().starts_at.astimezone(london)
    # Tuesday 28 March 2023 was summer time (UTC+1), Tuesday 26 March 2024 winter time (UTC+0): 09:00 stays 09:00.
    assert (local.date(), local.hour) == (dt.date(2024, 3, 26), 9)


def test_only_the_secretariats_organisers_start_a_programme(make_user):
    with pytest.raises(PermissionDenied):
        services.create_programme(organiser(make_user), name="KNPA's own")
    actor = organiser(make_user, "aseanapol")
    made = services.create_programme(actor, name="Cyber programme")
    assert made.coordinating_agency.code == "aseanapol"
    assert AuditEvent.objects.filter(action=Action.PROGRAMME_CREATED, object_id=str(made.pk)).exists()
    with pytest.raises(ValidationError):
        services.create_programme(actor, name="Cyber programme")
