"""Seats, nominations, attendance (pages, HTMX, online join, platform exports), my agenda and expert links."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.services import create_api_token
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.notifications.models import Notification
from lintas.programmes import services
from lintas.programmes.models import Attendance, Edition, ExpertLink, Nomination, SeatAllocation
from lintas.programmes.selectors import attendance_summary
from lintas.programmes.tests.helpers import SEOUL, edition, organiser

pytestmark = pytest.mark.django_db


def _api(user):
    _, secret = create_api_token(user, name="t", scope=TokenScope.READ_WRITE, days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def agency(code):
    return Agency.objects.get(code=code)


@pytest.fixture
def world(make_user):
    """A KNPA-hosted edition open for nominations with two sessions, seats for RMP (2 on site) and SPF (1 online),
    admins of RMP and SPF and an officer of each."""

    class W:
        pass

    w = W()
    w.host = organiser(make_user)
    w.edition = edition(w.host, status="open_for_nominations", online_link="https://meet.example.org/x")
    w.lecture = services.add_session(
        w.host,
        w.edition,
        kind="lecture",
        topic="Cybercrime trends",
        starts_at=dt.datetime(2021, 11, 15, 11, 0, tzinfo=SEOUL),
        ends_at=dt.datetime(2021, 11, 15, 12, 30, tzinfo=SEOUL),
    )
    w.panel = w.edition.sessions.get(kind="panel")
    services.set_seats(w.host, w.edition, [(agency("rmp"), "on_site", 2), (agency("spf"), "online", 1)])
    w.rmp_admin = make_user("rmp", roles=(Role.AGENCY_ADMIN,), username="rmp.admin")
    w.spf_admin = make_user("spf", roles=(Role.AGENCY_ADMIN,), username="spf.admin")
    # Fixed names: a random one could be shared by another agency's user and break the "not shown" checks
    w.rmp_officer = make_user(
        "rmp",
        roles=(Role.INVESTIGATOR,),
        username="rmp.officer",
        language="ms",
        first_name="Aminah",
        last_name="Ismail",
    )
    w.spf_officer = make_user(
        "spf", roles=(Role.INVESTIGATOR,), username="spf.officer", first_name="Wei Ling", last_name="Tanuwidjaja"
    )
    return w


def _confirmed(w):
    """RMP's officer (user, on site) and SPF's officer (user, online), both confirmed."""
    rmp = services.nominate(w.rmp_admin, w.edition, mode="on_site", user=w.rmp_officer)
    spf = services.nominate(w.spf_admin, w.edition, mode="online", user=w.spf_officer)
    services.decide_nominations(w.host, w.edition, [rmp, spf], "confirmed")
    return rmp, spf


# --- Seats -------------------------------------------------------------------------------------------------------


def test_organisers_set_seats_and_others_are_refused(world, make_user):
    assert {(s.agency.code, s.mode, s.seats) for s in world.edition.seats.all()} == {
        ("rmp", "on_site", 2),
        ("spf", "online", 1),
    }
    assert AuditEvent.objects.filter(action=Action.SEATS_SET, object_id=str(world.edition.pk)).count() == 1
    with pytest.raises(PermissionDenied):
        services.set_seats(world.rmp_admin, world.edition, [(agency("rmp"), "on_site", 9)])
    with pytest.raises(PermissionDenied):  # an organiser, but of another agency
        services.set_seats(organiser(make_user, "spf"), world.edition, [(agency("spf"), "online", 9)])
    with pytest.raises(ValidationError) as refused:
        services.set_seats(world.host, world.edition, [(agency("rmp"), "hybrid", 1), (agency("spf"), "online", -1)])
    assert set(refused.value.message_dict) == {"rmp.hybrid", "spf.online"}
    assert world.edition.seats.count() == 2


def test_the_same_seats_again_write_nothing(world):
    """Every write is audited, so a submission that changes nothing writes nothing: the rows stay as they were."""
    rows = sorted(world.edition.seats.values_list("pk", flat=True))
    again = services.set_seats(world.host, world.edition, [(agency("rmp"), "on_site", 2), (agency("spf"), "online", 1)])
    assert sorted(seat.pk for seat in again) == rows
    assert sorted(world.edition.seats.values_list("pk", flat=True)) == rows
    assert AuditEvent.objects.filter(action=Action.SEATS_SET, object_id=str(world.edition.pk)).count() == 1


def test_lists_in_api_bodies_are_bounded(world):
    """Each id or code of a body list is a parameter of one query: past the bound, 422 before any query."""
    headers = _api(world.host)
    too_many = {"nominations": list(range(1, 502))}
    response = Client().post(
        f"/api/v1/programmes/editions/{world.edition.pk}/certificates",
        too_many,
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422 and "at most 500" in response.content.decode()
    response = Client().patch(
        f"/api/v1/programmes/editions/{world.edition.pk}",
        {"co_organisers": ["aseanapol"] * 51},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422 and "at most 50 " in response.content.decode()


def test_seats_cannot_go_below_the_confirmed(world):
    _confirmed(world)
    with pytest.raises(ValidationError) as refused:
        services.set_seats(world.host, world.edition, [(agency("rmp"), "on_site", 2)])  # SPF online left out: 0
    assert (
        "SPF" in refused.value.message_dict["spf.online"][0]
        and "at least 1" in refused.value.message_dict["spf.online"][0]
    )
    assert world.edition.seats.get(agency__code="spf").seats == 1


# --- Nominations -------------------------------------------------------------------------------------------------


def test_an_agency_admin_nominates_own_officers_only(world, make_user):
    nomination = services.nominate(world.rmp_admin, world.edition, mode="on_site", user=world.rmp_officer)
    assert (nomination.agency.code, nomination.status, nomination.email) == (
        "rmp",
        "nominated",
        world.rmp_officer.email,
    )
    assert nomination.language == "ms" and nomination.name == world.rmp_officer.get_full_name()
    event = AuditEvent.objects.get(action=Action.NOMINATION_ADDED)
    assert event.agency_id == agency("rmp").pk and event.object_id == str(nomination.pk)
    with pytest.raises(ValidationError) as refused:  # admin of RMP nominating SPF's officer
        services.nominate(world.rmp_admin, world.edition, mode="online", user=world.spf_officer)
    assert "user" in refused.value.message_dict
    with pytest.raises(PermissionDenied):  # not an admin
        services.nominate(world.rmp_officer, world.edition, mode="on_site", name="Someone")
    with pytest.raises(PermissionDenied):  # an organiser is not an agency admin
        services.nominate(world.host, world.edition, mode="on_site", name="Someone")
    with pytest.raises(ValidationError) as twice:
        services.nominate(world.rmp_admin, world.edition, mode="online", user=world.rmp_officer)
    assert "already" in twice.value.message_dict["user"][0]
    assert Nomination.objects.count() == 1


def test_a_person_without_an_account_and_more_than_the_seats(world):
    for n in range(3):  # RMP has 2 on-site seats: nominating 3 is allowed, confirming 3 is not
        services.nominate(
            world.rmp_admin,
            world.edition,
            mode="on_site",
            name=f"Insp. {n}",
            rank="Inspector",
            unit="CCID",
            email=f"Officer{n}@RMP.example",
            language="ms",
        )
    assert set(Nomination.objects.values_list("email", flat=True)) == {f"officer{n}@rmp.example" for n in range(3)}
    with pytest.raises(ValidationError) as refused:
        services.nominate(world.rmp_admin, world.edition, mode="on_site", name="", email="x@rmp.example")
    assert "name" in refused.value.message_dict


def test_nominations_need_an_edition_open_for_nominations(world):
    services.update_edition(world.host, world.edition, status="confirmed")
    with pytest.raises(ValidationError) as refused:
        services.nominate(world.rmp_admin, world.edition, mode="on_site", name="Late")
    assert refused.value.message_dict == {"edition": ["This edition is not open for nominations."]}


def test_confirming_beyond_the_seats_is_refused_and_changes_nothing(world):
    rows = [
        services.nominate(world.rmp_admin, world.edition, mode="on_site", name=f"Insp. {n}", email=f"i{n}@rmp.example")
        for n in range(3)
    ]
    with pytest.raises(ValidationError) as refused:
        services.decide_nominations(world.host, world.edition, rows, "confirmed")
    assert refused.value.message_dict["nominations"] == [
        "RMP On site has 2 seats: confirming these would make 3 participants."
    ]
    assert not Nomination.objects.filter(status="confirmed").exists()
    services.decide_nominations(world.host, world.edition, rows[:2], "confirmed")
    services.decide_nominations(world.host, world.edition, rows[2:], "wait_listed")
    with pytest.raises(ValidationError):  # one by one, too
        services.decide_nominations(world.host, world.edition, rows[2:], "confirmed")
    assert list(Nomination.objects.order_by("pk").values_list("status", flat=True)) == [
        "confirmed",
        "confirmed",
        "wait_listed",
    ]
    assert AuditEvent.objects.filter(action=Action.NOMINATION_DECIDED).count() == 3
    with pytest.raises(PermissionDenied):
        services.decide_nominations(world.rmp_admin, world.edition, rows[2:], "declined")


def test_confirmation_notifies_the_nominee_with_an_account_and_emails_after_commit(
    world, django_capture_on_commit_callbacks
):
    rmp = services.nominate(world.rmp_admin, world.edition, mode="on_site", user=world.rmp_officer)
    guest = services.nominate(world.rmp_admin, world.edition, mode="on_site", name="No account", email="n@rmp.ex")
    with django_capture_on_commit_callbacks() as callbacks:
        services.decide_nominations(world.host, world.edition, [rmp, guest], "confirmed")
    queued = [c for c in callbacks if "_notify_confirmed" in c.__qualname__]
    assert len(queued) == 1  # the e-mail copies are queued on commit
    note = Notification.objects.get()
    assert note.recipient == world.rmp_officer and note.kind == "programme"
    assert note.url == f"/programmes/editions/{world.edition.pk}/" and world.edition.title in note.text
    services.decide_nominations(world.host, world.edition, [rmp], "confirmed")  # again: nothing new
    assert Notification.objects.count() == 1


def test_withdraw_by_the_own_agency_only_and_nominate_again(world):
    rmp, _spf = _confirmed(world)
    with pytest.raises(PermissionDenied):
        services.withdraw_nomination(world.spf_admin, rmp)
    services.withdraw_nomination(world.rmp_admin, rmp)
    rmp.refresh_from_db()
    assert rmp.status == "withdrawn"
    assert AuditEvent.objects.filter(action=Action.NOMINATION_WITHDRAWN, object_id=str(rmp.pk)).exists()
    with pytest.raises(ValidationError):  # a withdrawn nomination is not the organisers' to confirm
        services.decide_nominations(world.host, world.edition, [rmp], "confirmed")
    again = services.nominate(world.rmp_admin, world.edition, mode="online", user=world.rmp_officer)
    assert again.pk == rmp.pk and again.status == "nominated" and again.mode == "online"


def test_a_confirmed_participant_sees_the_edition_even_in_planning(world, make_user):
    rmp, _spf = _confirmed(world)
    services.update_edition(world.host, world.edition, status="planning")
    colleague = make_user("rmp", roles=(Role.INVESTIGATOR,))
    assert list(Edition.objects.visible_to(world.rmp_officer)) == [world.edition]
    assert not Edition.objects.visible_to(colleague).exists()
    assert not Edition.objects.visible_to(world.rmp_admin).exists()
    services.decide_nominations(world.host, world.edition, [rmp], "declined")
    assert not Edition.objects.visible_to(world.rmp_officer).exists()


def test_nominations_visible_to_organisers_own_agency_admins_and_the_nominee(world, make_user):
    rmp, spf = _confirmed(world)
    assert set(Nomination.objects.visible_to(world.host)) == {rmp, spf}
    assert set(Nomination.objects.visible_to(world.rmp_admin)) == {rmp}
    assert set(Nomination.objects.visible_to(world.spf_officer)) == {spf}
    assert not Nomination.objects.visible_to(make_user("rmp", roles=(Role.INVESTIGATOR,))).exists()


# --- Attendance --------------------------------------------------------------------------------------------------


def test_organisers_record_attendance_of_confirmed_participants(world):
    rmp, spf = _confirmed(world)
    assert services.record_attendance(world.host, world.panel, [rmp, spf], True) == 2
    assert services.record_attendance(world.host, world.panel, [rmp, spf], True) == 0  # idempotent
    assert services.record_attendance(world.host, world.panel, [spf], False) == 1
    assert AuditEvent.objects.filter(action=Action.ATTENDANCE_RECORDED).count() == 2
    assert dict(Attendance.objects.values_list("nomination_id", "present")) == {rmp.pk: True, spf.pk: False}
    with pytest.raises(PermissionDenied):
        services.record_attendance(world.rmp_admin, world.panel, [rmp], True)
    waiting = services.nominate(world.rmp_admin, world.edition, mode="on_site", name="W", email="w@rmp.example")
    with pytest.raises(ValidationError):  # only confirmed participants
        services.record_attendance(world.host, world.panel, [waiting], True)


def test_summary_rates_per_session_agency_and_mode(world):
    rmp, spf = _confirmed(world)
    services.record_attendance(world.host, world.lecture, [rmp, spf], True)
    services.record_attendance(world.host, world.panel, [rmp], True)
    services.record_attendance(world.host, world.panel, [spf], False)
    summary = attendance_summary(world.edition)
    assert [(s["topic"], s["present"], s["expected"], s["rate"]) for s in summary["sessions"]] == [
        ("Cybercrime trends", 2, 2, 1.0),
        ("Expert panel", 1, 2, 0.5),
    ]
    assert [(a["agency"], a["mode"], a["present"], a["possible"], a["rate"]) for a in summary["agencies"]] == [
        ("rmp", "on_site", 2, 2, 1.0),
        ("spf", "online", 1, 2, 0.5),
    ]
    assert summary["modes"]["online"]["rate"] == 0.5 and summary["overall"] == {
        "participants": 2,
        "present": 3,
        "possible": 4,
        "rate": 0.75,
    }


def test_joining_online_records_attendance_and_sends_to_the_platform(world, signed_in):
    _rmp, spf = _confirmed(world)
    client = signed_in(world.spf_officer)
    during = world.lecture.starts_at + dt.timedelta(minutes=5)
    with pytest.raises(ValidationError):  # long before
        services.join_online(world.spf_officer, world.lecture, now=during - dt.timedelta(hours=2))
    link = services.join_online(world.spf_officer, world.lecture, now=during)
    assert link == "https://meet.example.org/x"
    row = Attendance.objects.get()
    assert (row.nomination, row.session, row.present, row.source) == (spf, world.lecture, True, "online_join")
    services.join_online(world.spf_officer, world.lecture, now=during)  # again: nothing new
    assert AuditEvent.objects.filter(action=Action.ATTENDANCE_RECORDED).count() == 1
    with pytest.raises(PermissionDenied):
        services.join_online(world.spf_admin, world.lecture, now=during)
    # The page: outside the window the participant is told so (the session of 2021 is long over).
    response = client.post(f"/programmes/editions/{world.edition.pk}/sessions/{world.lecture.pk}/join/")
    assert response.status_code == 302 and response["Location"] == f"/programmes/editions/{world.edition.pk}/"
    refused = signed_in(world.spf_admin).post(
        f"/programmes/editions/{world.edition.pk}/sessions/{world.lecture.pk}/join/"
    )
    assert refused.status_code == 403


def test_the_join_button_shows_near_the_session_time(world, signed_in):
    _confirmed(world)
    now = dt.datetime.now(dt.UTC)
    soon = services.add_session(
        world.host, world.edition, kind="workshop", topic="Live now", starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(minutes=50),
    )  # fmt: skip
    client = signed_in(world.spf_officer)
    page = client.get(f"/programmes/editions/{world.edition.pk}/").content.decode()
    assert page.count("join-online") == 1 and f"/sessions/{soon.pk}/join/" in page
    response = client.post(f"/programmes/editions/{soon.edition_id}/sessions/{soon.pk}/join/")
    assert response.status_code == 302 and response["Location"] == "https://meet.example.org/x"
    assert Attendance.objects.get(session=soon).source == "online_join"


ZOOM = (
    "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    "812 3456 7890,Korea-ASEAN,11/15/2021 10:55:00 AM,11/15/2021 04:10:00 PM,host@knpa.example,315,4\n"
    "\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "RMP Officer,{rmp},11/15/2021 10:58:12 AM,11/15/2021 12:31:00 PM,93,No\n"
    "SPF Officer,{spf},11/15/2021 11:02:40 AM,11/15/2021 12:20:00 PM,78,No\n"
    "Host,host@knpa.example,11/15/2021 10:55:00 AM,11/15/2021 04:10:00 PM,315,No\n"
    "Guest phone,,11/15/2021 11:00:00 AM,11/15/2021 11:30:00 AM,30,Yes\n"
)


def _zoom(w, **more):
    return ZOOM.format(rmp=w.rmp_officer.email.upper(), spf=w.spf_officer.email, **more).encode()


def test_a_zoom_export_marks_the_sessions_each_participant_overlapped_and_a_rerun_changes_nothing(world):
    rmp, spf = _confirmed(world)
    report = services.import_attendance(world.host, world.edition, _zoom(world), file_name="zoom.csv")
    assert (report["rows"], report["matched"], report["recorded"], report["unchanged"]) == (4, 2, 2, 0)
    assert [(r["line"], r["reason"]) for r in report["skipped"]] == [
        (7, "not a confirmed participant: host@knpa.example"),
        (8, "no e-mail"),
    ]
    rows = set(Attendance.objects.values_list("nomination_id", "session_id", "source"))
    assert rows == {(rmp.pk, world.lecture.pk, "platform_export"), (spf.pk, world.lecture.pk, "platform_export")}
    event = AuditEvent.objects.get(action=Action.ATTENDANCE_IMPORTED)
    assert event.details["recorded"] == 2 and event.details["file"] == "zoom.csv" and len(event.details["sha256"]) == 64
    again = services.import_attendance(world.host, world.edition, _zoom(world), file_name="zoom.csv")
    assert (again["recorded"], again["unchanged"]) == (0, 2)
    assert set(Attendance.objects.values_list("nomination_id", "session_id", "source")) == rows


def test_a_teams_export_in_utf16_with_tabs_and_sections(world):
    _rmp, spf = _confirmed(world)
    text = (
        "1. Summary\n"
        "Meeting title\tKorea-ASEAN day 3\n"
        "Attended participants\t2\n"
        "\n"
        "2. Participants\n"
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
        f"SPF Officer\t17/11/2021, 13:58:01\t17/11/2021, 16:01:10\t2h 3m\t{world.spf_officer.email}\tx\tAttendee\n"
        "\n"
        "3. In-Meeting Activities\n"
        "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
        f"RMP Officer\t17/11/2021, 13:58:01\t17/11/2021, 16:01:10\t2h\t{world.rmp_officer.email}\tAttendee\n"
    )
    report = services.import_attendance(world.host, world.edition, text.encode("utf-16"))
    assert report["recorded"] == 1  # the participants section only; the day (17 > 12) is read first
    assert list(Attendance.objects.values_list("nomination_id", "session_id")) == [(spf.pk, world.panel.pk)]


def test_a_webex_export_with_a_bom_for_a_chosen_session(world):
    _rmp, _spf = _confirmed(world)
    text = f"Participant Name;Participant Email;Attendance Duration\nRMP Officer;{world.rmp_officer.email};45 mins\n"
    report = services.import_attendance(world.host, world.edition, ("\ufeff" + text).encode(), session=world.panel)
    assert report["recorded"] == 1 and Attendance.objects.get().session == world.panel


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfe\x00", "not UTF-8 or UTF-16"),
        ("caf\xe9".encode("latin-1") + b"\n", "not UTF-8 or UTF-16"),
        (b"Name,Phone\nA,1\n", "No participants' header found"),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ],
)
def test_a_file_that_cannot_be_read_changes_nothing(world, content, message):
    _confirmed(world)
    with pytest.raises(ValidationError) as refused:
        services.import_attendance(world.host, world.edition, content)
    assert message in refused.value.message_dict["file"][0]
    assert not Attendance.objects.exists() and not AuditEvent.objects.filter(action=Action.ATTENDANCE_IMPORTED)


@pytest.mark.parametrize("when", ["0001-01-01T00:00+14:00", "9999-12-31T23:59-12:00", "01/01/1900 00:00:00 AM"])
def test_a_time_out_of_any_programmes_range_is_a_line_error_not_a_crash(world, when):
    """Near year 1 or 9999 a time zone overflows Python's datetime: refused as not understood, nothing written."""
    _confirmed(world)
    bad = _zoom(world).decode().replace("11/15/2021 11:02:40 AM", when).encode()
    with pytest.raises(ValidationError) as refused:
        services.import_attendance(world.host, world.edition, bad)
    assert refused.value.message_dict["file"] == [f"Line 6: Join time not understood: {when}."]
    assert not Attendance.objects.exists()


def test_one_bad_line_imports_nothing_and_names_the_line(world):
    _confirmed(world)
    bad = _zoom(world).decode().replace("11/15/2021 11:02:40 AM", "yesterday-ish").encode()
    with pytest.raises(ValidationError) as refused:
        services.import_attendance(world.host, world.edition, bad)
    assert refused.value.message_dict["file"] == ["Line 6: Join time not understood: yesterday-ish."]
    assert not Attendance.objects.exists()
    with pytest.raises(PermissionDenied):
        services.import_attendance(world.rmp_admin, world.edition, _zoom(world))


# --- My agenda, expert links -------------------------------------------------------------------------------------


def test_my_agenda_for_a_participant_only_audited(world, signed_in, make_user):
    rmp, _spf = _confirmed(world)
    url = f"/programmes/editions/{world.edition.pk}/my-agenda.ics"
    response = signed_in(world.rmp_officer).get(url)
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert body.count("BEGIN:VEVENT") == 2 and "Cybercrime trends" in body
    event = AuditEvent.objects.get(action=Action.CALENDAR_DOWNLOADED)
    assert event.actor == world.rmp_officer and event.object_id == str(rmp.pk)
    page = signed_in(world.rmp_officer).get(f"/programmes/editions/{world.edition.pk}/").content.decode()
    assert f'href="{url}"' in page and "Your nomination (On site): Confirmed." in page
    assert signed_in(make_user("rmp", roles=(Role.INVESTIGATOR,))).get(url).status_code == 404
    assert signed_in(world.host).get(url).status_code == 404  # an organiser is no participant
    api = Client().get(f"/api/v1/programmes/editions/{world.edition.pk}/my-agenda.ics", **_api(world.rmp_officer))
    assert api.status_code == 200 and api.content.decode().count("BEGIN:VEVENT") == 2


def test_expert_links_open_the_experts_sessions_until_expired_or_revoked(world, signed_in):
    panel_expert = world.panel.roles.get().expert
    page = signed_in(world.host).post(
        f"/programmes/editions/{world.edition.pk}/expert-links/", {"expert": panel_expert.pk, "days": 7}
    )
    assert page.status_code == 200
    link = ExpertLink.objects.get()
    text = page.content.decode()
    start = text.index("/programmes/expert/")
    url = text[start : text.index('"', start)]
    token = url.rsplit("/", 2)[1]
    assert token not in str(list(ExpertLink.objects.values())) and len(link.token_sha256) == 64
    assert AuditEvent.objects.filter(action=Action.EXPERT_LINK_CREATED).exists()
    opened = Client().get(url)
    body = opened.content.decode()
    assert opened.status_code == 200 and "Expert panel" in body and "Cybercrime trends" not in body
    assert "Wed 17 Nov 2021 14:00" in body and "browser-times.js" in body and opened["Referrer-Policy"] == "no-referrer"
    used = AuditEvent.objects.get(action=Action.EXPERT_LINK_USED)
    assert used.actor is None and panel_expert.name in used.actor_username
    missing = Client().get("/programmes/expert/" + "x" * 43 + "/")
    ExpertLink.objects.filter(pk=link.pk).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    expired = Client().get(url)
    ExpertLink.objects.filter(pk=link.pk).update(expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    signed_in(world.host).post(f"/programmes/editions/{world.edition.pk}/expert-links/{link.pk}/revoke/")
    revoked = Client().get(url)
    assert missing.status_code == expired.status_code == revoked.status_code == 404

    def blank(response):  # CSRF tokens differ, and the 404 page names the address asked for
        text = response.content.decode().replace(token, "K").replace("x" * 43, "K")
        return re.sub(r"[A-Za-z0-9]{64}", "T", text)

    assert blank(missing) == blank(expired) == blank(revoked)
    assert AuditEvent.objects.filter(action=Action.EXPERT_LINK_USED).count() == 1
    with pytest.raises(ValidationError):  # an expert with no session in the edition
        other = services.add_expert(world.host, name="Nobody")
        services.create_expert_link(world.host, world.edition, other)


def test_an_expert_link_downloads_its_own_sessions_materials_only(world, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    panel_expert = world.panel.roles.get().expert
    link, token = services.create_expert_link(world.host, world.edition, panel_expert)
    notes = b"panel notes for the expert"
    panel_paper = services.add_material(
        world.host, world.panel, kind="paper", title="Panel notes", upload=SimpleUploadedFile("p.txt", notes)
    )
    lecture_paper = services.add_material(
        world.host, world.lecture, kind="paper", title="Lecture notes", upload=SimpleUploadedFile("l.txt", b"lecture")
    )
    spf_host = organiser(make_user, "spf", username="spf.organiser")
    spf_edition = edition(spf_host, host="spf", title="SPF edition", number=9)
    spf_paper = services.add_material(
        spf_host, spf_edition.sessions.get(), kind="paper", title="SPF only", upload=SimpleUploadedFile("s.txt", b"s")
    )
    base = f"/programmes/expert/{token}/"
    page = Client().get(base).content.decode()
    assert f'href="{base}materials/{panel_paper.pk}/"' in page and "Lecture notes" not in page

    got = Client().get(f"{base}materials/{panel_paper.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == notes
    assert "attachment" in got["Content-Disposition"] and got["Referrer-Policy"] == "no-referrer"
    event = AuditEvent.objects.get(action=Action.MATERIAL_DOWNLOADED)
    assert event.actor is None and event.details["expert_link"] == link.pk and event.object_id == str(panel_paper.pk)

    refused = [
        Client().get(f"{base}materials/{lecture_paper.pk}/"),  # the edition's, but not the expert's session
        Client().get(f"{base}materials/{spf_paper.pk}/"),  # another agency's edition
        Client().get(f"{base}materials/2000000007/"),  # missing
        Client().get(f"/programmes/expert/{'x' * 43}/materials/{panel_paper.pk}/"),  # unknown link
    ]
    services.revoke_expert_link(world.host, link)
    refused.append(Client().get(f"{base}materials/{panel_paper.pk}/"))
    assert [r.status_code for r in refused] == [404] * 5
    assert AuditEvent.objects.filter(action=Action.MATERIAL_DOWNLOADED).count() == 1


# --- Pages ---------------------------------------------------------------------------------------------------------


def test_the_nominate_page_for_the_own_agency(world, signed_in):
    client = signed_in(world.rmp_admin)
    url = f"/programmes/editions/{world.edition.pk}/nominate/"
    page = client.get(url).content.decode()
    assert world.rmp_officer.username in page or world.rmp_officer.last_name in page
    assert world.spf_officer.last_name not in page
    created = client.post(url, {"mode": "on_site", "user": world.rmp_officer.pk})
    assert created.status_code == 302 and Nomination.objects.get().user == world.rmp_officer
    foreign = client.post(url, {"mode": "online", "user": world.spf_officer.pk})
    assert foreign.status_code == 200 and 'id="id_user_error"' in foreign.content.decode()
    guest = client.post(url, {"mode": "on_site", "name": "Insp. Aziz", "email": "aziz@rmp.example", "rank": "Insp."})
    assert guest.status_code == 302 and Nomination.objects.count() == 2
    assert signed_in(world.rmp_officer).get(url).status_code == 403
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=world.rmp_officer).exists()
    other_agency = Nomination.objects.get(user=world.rmp_officer)
    withdraw = f"/programmes/editions/{world.edition.pk}/nominations/{other_agency.pk}/withdraw/"
    assert signed_in(world.spf_admin).post(withdraw).status_code == 404
    assert client.post(withdraw).status_code == 302
    other_agency.refresh_from_db()
    assert other_agency.status == "withdrawn"


def test_the_participants_page_counts_filters_and_decides(world, signed_in):
    rows = [
        services.nominate(world.rmp_admin, world.edition, mode="on_site", name=f"Insp. {n}", email=f"i{n}@rmp.example")
        for n in range(3)
    ]
    services.nominate(world.spf_admin, world.edition, mode="online", user=world.spf_officer)
    client = signed_in(world.host)
    url = f"/programmes/editions/{world.edition.pk}/participants/"
    page = client.get(url + "?agency=rmp").content.decode()
    assert "Insp. 0" in page and world.spf_officer.email not in page and 'id="seat-table"' in page
    refused = client.post(url, {"nominations": [r.pk for r in rows], "decision": "confirmed"}, follow=True)
    assert "RMP On site has 2 seats" in refused.content.decode()
    assert not Nomination.objects.filter(status="confirmed").exists()
    done = client.post(url, {"nominations": [rows[0].pk], "decision": "confirmed"})
    assert done.status_code == 302 and Nomination.objects.get(pk=rows[0].pk).status == "confirmed"
    assert signed_in(world.rmp_admin).get(url).status_code == 403


def test_the_attendance_grid_toggles_with_htmx(world, signed_in):
    rmp, _spf = _confirmed(world)
    client = signed_in(world.host)
    grid = client.get(f"/programmes/editions/{world.edition.pk}/attendance/").content.decode()
    assert 'id="attendance-grid"' in grid and world.rmp_officer.get_full_name() in grid
    url = f"/programmes/editions/{world.edition.pk}/attendance/{world.panel.pk}/{rmp.pk}/"
    cell = client.post(url, {"present": "1"}, HTTP_HX_REQUEST="true")
    assert cell.status_code == 200 and "bi-check-lg" in cell.content.decode() and 'value="0"' in cell.content.decode()
    assert Attendance.objects.get().present is True
    client.post(url, {"present": "0"}, HTTP_HX_REQUEST="true")
    assert Attendance.objects.get().present is False
    client.post(f"/programmes/editions/{world.edition.pk}/attendance/{world.lecture.pk}/all-present/")
    assert Attendance.objects.filter(session=world.lecture, present=True).count() == 2
    assert signed_in(world.rmp_admin).post(url, {"present": "1"}).status_code == 403


def test_the_import_page_reports_and_refuses(world, signed_in):
    _confirmed(world)
    client = signed_in(world.host)
    url = f"/programmes/editions/{world.edition.pk}/attendance/import/"
    ok = client.post(url, {"file": SimpleUploadedFile("zoom.csv", _zoom(world), content_type="text/csv")})
    assert ok.status_code == 200 and 'id="import-report"' in ok.content.decode()
    assert Attendance.objects.count() == 2
    bad = client.post(url, {"file": SimpleUploadedFile("x.csv", b"Name,Phone\nA,1\n", content_type="text/csv")})
    assert "No participants&#x27; header found" in bad.content.decode() and Attendance.objects.count() == 2


def test_the_edition_page_links_for_admins_and_organisers(world, signed_in):
    admin_page = signed_in(world.rmp_admin).get(f"/programmes/editions/{world.edition.pk}/").content.decode()
    assert 'id="nominate-link"' in admin_page and 'id="participants-link"' not in admin_page
    host_page = signed_in(world.host).get(f"/programmes/editions/{world.edition.pk}/").content.decode()
    assert 'id="participants-link"' in host_page and 'id="seat-table"' in host_page


# --- API -----------------------------------------------------------------------------------------------------------


def test_api_nominations_seats_attendance(world):
    base = f"/api/v1/programmes/editions/{world.edition.pk}"
    rmp_admin, spf_admin, host = _api(world.rmp_admin), _api(world.spf_admin), _api(world.host)
    post = lambda url, body, h: Client().post(url, body, content_type="application/json", **h)  # noqa: E731
    made = post(f"{base}/nominations", {"mode": "on_site", "user": world.rmp_officer.pk}, rmp_admin)
    assert made.status_code == 201 and made.json()["agency"] == "rmp" and made.json()["status"] == "nominated"
    foreign = post(f"{base}/nominations", {"mode": "on_site", "user": world.spf_officer.pk}, rmp_admin)
    missing = post(f"{base}/nominations", {"mode": "on_site", "user": 2_000_000_007}, rmp_admin)
    assert foreign.status_code == missing.status_code == 422 and foreign.json() == missing.json()
    post(f"{base}/nominations", {"mode": "online", "user": world.spf_officer.pk}, spf_admin)
    listed = Client().get(f"{base}/nominations", **rmp_admin).json()
    assert [n["agency"] for n in listed] == ["rmp"]  # SPF's nomination is there, and hidden
    assert len(Client().get(f"{base}/nominations?mode=online", **host).json()) == 1
    spf_id = Nomination.objects.get(agency__code="spf").pk
    hidden = post(f"{base}/nominations/{spf_id}/withdraw", {}, rmp_admin)
    gone = post(f"{base}/nominations/2000000007/withdraw", {}, rmp_admin)
    assert hidden.status_code == gone.status_code == 404 and hidden.json() == gone.json()
    ids = list(Nomination.objects.values_list("pk", flat=True))
    decided = post(f"{base}/nominations/decide", {"nomination_ids": ids, "decision": "confirmed"}, host)
    assert decided.status_code == 200 and {n["status"] for n in decided.json()} == {"confirmed"}
    assert (
        post(f"{base}/nominations/decide", {"nomination_ids": ids, "decision": "declined"}, rmp_admin).status_code
        == 403
    )
    seats = Client().put(
        f"{base}/seats", {"seats": [{"agency": "rmp", "mode": "on_site", "seats": 0}]}, content_type="application/json",
        **host,
    )  # fmt: skip
    assert seats.status_code == 422 and "at least 1" in str(seats.json())
    assert SeatAllocation.objects.count() == 2
    assert {(s["agency"], s["seats"]) for s in Client().get(f"{base}/seats", **rmp_admin).json()} == {
        ("rmp", 2),
        ("spf", 1),
    }
    recorded = post(f"{base}/attendance", {"session_id": world.panel.pk, "nomination_ids": ids}, host)
    assert recorded.status_code == 200 and recorded.json()["summary"]["sessions"][1]["present"] == 2
    assert (
        post(f"{base}/attendance", {"session_id": world.panel.pk, "nomination_ids": ids}, rmp_admin).status_code == 403
    )
    assert Client().get(f"{base}/attendance", **rmp_admin).status_code == 403
    upload = Client().post(f"{base}/attendance/import", {"file": SimpleUploadedFile("z.csv", _zoom(world))}, **host)
    assert upload.status_code == 200 and upload.json()["matched"] == 2, upload.content


def test_the_demo_edition_has_its_participants_and_attendance():
    from lintas.accounts.demo import seed_demo_users
    from lintas.programmes.demo import seed_demo_programmes

    seed_demo_users()
    first, _second = seed_demo_programmes()
    confirmed = first.nominations.filter(status="confirmed")
    by_mode = {
        mode: sorted(set(confirmed.filter(mode=mode).values_list("agency__code", flat=True)))
        for mode in ("on_site", "online")
    }
    assert by_mode == {
        "on_site": ["aseanapol", "cnp", "inp", "interpol", "mps-vn", "pnp", "rmp", "rtp"],
        "online": ["rbpf", "spf"],
    }
    assert confirmed.count() == 19 and confirmed.filter(user__isnull=True).count() == 9
    summary = attendance_summary(first)
    assert summary["overall"]["possible"] == 19 * 5 and summary["overall"]["present"] == 19 * 5 - 4
    sources = set(Attendance.objects.filter(session__edition=first).values_list("source", flat=True))
    assert sources == {"organiser", "online_join", "platform_export"}
    assert Edition.objects.visible_to(confirmed.get(agency__code="rmp", user__isnull=False).user).filter(pk=first.pk)
    before = (Nomination.objects.count(), Attendance.objects.count(), AuditEvent.objects.count())
    assert seed_demo_programmes() == []
    assert (Nomination.objects.count(), Attendance.objects.count(), AuditEvent.objects.count()) == before
