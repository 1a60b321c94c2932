import datetime as dt

import pytest
from django.test import Client

from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.services import create_api_token
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent
from lintas.programmes.models import Edition, Expert, Programme
from lintas.programmes.tests.helpers import edition, organiser, programme

pytestmark = pytest.mark.django_db


def _api(user):
    _, secret = create_api_token(user, name="t", scope=TokenScope.READ_WRITE, days=1)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_visible_to_hides_planning_editions_from_all_but_their_organisers(make_user):
    host = organiser(make_user)
    planning, completed = edition(host), edition(host, status="completed", title="done")
    member = make_user("pntl", roles=(Role.AGENCY_ADMIN,))
    other_organiser = organiser(make_user, "spf")
    secretariat = organiser(make_user, "aseanapol")
    knpa_member = make_user("knpa", roles=(Role.AGENCY_ADMIN, Role.SUPERVISOR))
    assert set(Edition.objects.visible_to(member)) == {completed}
    assert set(Edition.objects.visible_to(other_organiser)) == {completed}
    assert set(Edition.objects.visible_to(knpa_member)) == {completed}  # the host agency, but not an organiser
    assert set(Edition.objects.visible_to(secretariat)) == {planning, completed}
    assert set(Edition.objects.visible_to(host)) == {planning, completed}
    assert not Edition.objects.visible_to(Client().get("/").wsgi_request.user).exists()
    host.is_active = False
    assert not Edition.objects.visible_to(host).exists()
    for user in (member, secretariat):  # the cached SQL follows the rule for each kind of user
        sql, params = Edition.objects.visible_pk_sql(user)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert {row[0] for row in cursor.fetchall()} == set(
                Edition.objects.visible_to(user).values_list("pk", flat=True)
            )


def test_a_planning_edition_answers_404_to_a_member_page_ics_and_api(make_user, signed_in):
    host = organiser(make_user)
    planning = edition(host, title="Secret planning")
    member = make_user("pntl", roles=(Role.AGENCY_ADMIN,))
    client = signed_in(member)
    for url in (f"/programmes/editions/{planning.pk}/", f"/programmes/editions/{planning.pk}/agenda.ics"):
        assert client.get(url).status_code == 404
    assert client.post(f"/programmes/editions/{planning.pk}/plan-next/").status_code == 404
    headers = _api(member)
    response = Client().get(f"/api/v1/programmes/editions/{planning.pk}", **headers)
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    listed = Client().get("/api/v1/programmes/editions", **headers).json()
    assert listed == []
    assert "Secret planning" not in client.get("/programmes/").content.decode()


def test_the_edition_page_shows_the_agenda_in_both_time_zones(make_user, signed_in):
    host = organiser(make_user)
    done = edition(host, status="completed", title="Completed edition")
    member = make_user("pntl", roles=(Role.INVESTIGATOR,), time_zone="Asia/Dili")
    page = signed_in(member).get(f"/programmes/editions/{done.pk}/").content.decode()
    assert "Completed edition" in page and "Expert panel" in page and "JUNG Hye Ryun" in page
    assert "Wed 14:00" in page  # Asia/Dili is UTC+9 like Seoul: 14:00
    assert "Book the hall" not in page and "plan-next" not in page  # checklist and planning are for organisers
    assert f'href="/programmes/editions/{done.pk}/agenda.ics"' in page
    organiser_page = signed_in(host).get(f"/programmes/editions/{done.pk}/").content.decode()
    assert "Book the hall" in organiser_page and 'id="plan-next"' in organiser_page


def test_the_viewer_time_zone_differs_from_the_editions(make_user, signed_in):
    host = organiser(make_user)
    done = edition(host, status="completed")
    member = make_user("pntl", roles=(Role.INVESTIGATOR,), time_zone="Europe/London")
    page = signed_in(member).get(f"/programmes/editions/{done.pk}/").content.decode()
    assert "Wed 05:00" in page and "Wed 14:00" in page and "Asia/Seoul" in page


def test_the_ics_download_has_one_event_per_session(make_user, signed_in):
    host = organiser(make_user)
    done = edition(host, status="completed")
    response = signed_in(make_user("pntl")).get(f"/programmes/editions/{done.pk}/agenda.ics")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.count("BEGIN:VEVENT") == 1 and "DTSTART:20211117T050000Z\r\n" in body
    api = Client().get(f"/api/v1/programmes/editions/{done.pk}/agenda.ics", **_api(host))
    assert api.status_code == 200 and api.content.replace(b"\r\n", b"").count(b"BEGIN:VEVENT") == 1


def test_organisers_use_the_forms_end_to_end(make_user, signed_in):
    host = organiser(make_user)
    programme()
    client = signed_in(host)
    client.post("/programmes/experts/new/", {"name": "Franky Cheung", "organisation": "INTERPOL"})
    expert = Expert.objects.get(name="Franky Cheung")
    response = client.post(
        "/programmes/editions/new/",
        {
            "title": "3rd edition", "host_agency": "knpa", "co_organisers": ["aseanapol"], "starts_on": "2023-11-13",
            "ends_on": "2023-11-17", "time_zone": "Asia/Seoul", "languages": "en, ko", "status": "planning",
        },
    )  # fmt: skip
    made = Edition.objects.get(title="3rd edition")
    assert response.status_code == 302 and made.languages == ["en", "ko"]
    response = client.post(
        f"/programmes/editions/{made.pk}/sessions/new/",
        {"kind": "lecture", "topic": "Cooperation for cybersecurity", "starts_at": "2023-11-14T10:00",
         "ends_at": "2023-11-14T11:30", "speakers": [expert.pk]},
    )  # fmt: skip
    session = made.sessions.get()
    assert response.status_code == 302 and session.starts_at == dt.datetime(2023, 11, 14, 1, 0, tzinfo=dt.UTC)
    assert list(session.roles.values_list("role", flat=True)) == ["speaker"]
    response = client.post(
        f"/programmes/editions/{made.pk}/sessions/{session.pk}/edit/",
        {"kind": "lecture", "topic": "Cooperation", "starts_at": "2023-11-14T10:00", "ends_at": "2023-11-14T09:00"},
    )
    assert response.status_code == 200 and "A session ends after it starts." in response.content.decode()
    client.post(f"/programmes/editions/{made.pk}/checklist/new/", {"title": "Invite", "owner_agency": "aseanapol"})
    task = made.checklist.get()
    client.post(f"/programmes/editions/{made.pk}/checklist/{task.pk}/done/")
    task.refresh_from_db()
    assert task.done
    response = client.post(f"/programmes/editions/{made.pk}/edit/", {"title": "", "starts_on": "2023-11-13"})
    assert response.status_code == 200 and 'id="id_title_error"' in response.content.decode()
    response = client.post(f"/programmes/editions/{made.pk}/plan-next/")
    assert response.status_code == 302 and Edition.objects.filter(number=made.number + 1).exists()


def test_non_organisers_are_refused_the_forms(make_user, signed_in):
    host = organiser(make_user)
    done = edition(host, status="completed")
    client = signed_in(make_user("knpa", roles=(Role.AGENCY_ADMIN, Role.SUPERVISOR)))
    assert client.get("/programmes/editions/new/").status_code == 403
    assert client.get("/programmes/experts/new/").status_code == 403
    assert client.get(f"/programmes/editions/{done.pk}/edit/").status_code == 403
    assert client.post(f"/programmes/editions/{done.pk}/plan-next/").status_code == 403
    assert Edition.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).exists()


def test_api_creates_and_changes_editions_and_sessions(make_user):
    host = organiser(make_user)
    edition(host, status="completed")  # makes the programme
    headers = _api(host)
    client = Client()
    body = {
        "programme": "Korea-ASEAN Programme", "host_agency": "knpa", "co_organisers": ["aseanapol"],
        "title": "API edition", "starts_on": "2024-11-11", "ends_on": "2024-11-15", "time_zone": "Asia/Seoul",
    }  # fmt: skip
    created = client.post("/api/v1/programmes/editions", body, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    edition_id = created.json()["id"]
    assert created.json()["co_organisers"] == ["aseanapol"] and created.json()["status"] == "planning"
    bad = client.patch(
        f"/api/v1/programmes/editions/{edition_id}", {"time_zone": "Nowhere"}, content_type="application/json",
        **headers,
    )  # fmt: skip
    assert bad.status_code == 422 and "time_zone" in bad.json()["errors"]
    session = client.post(
        f"/api/v1/programmes/editions/{edition_id}/sessions",
        {"kind": "opening", "topic": "Opening", "starts_at": "2024-11-11T09:30", "ends_at": "2024-11-11T10:30"},
        content_type="application/json",
        **headers,
    )
    assert session.status_code == 201, session.content
    assert dt.datetime.fromisoformat(session.json()["starts_at"]) == dt.datetime(2024, 11, 11, 0, 30, tzinfo=dt.UTC)
    changed = client.patch(
        f"/api/v1/programmes/editions/{edition_id}/sessions/{session.json()['id']}",
        {"room": "Hall A"}, content_type="application/json", **headers,
    )  # fmt: skip
    assert changed.status_code == 200 and changed.json()["room"] == "Hall A"
    read = client.get(f"/api/v1/programmes/editions/{edition_id}", **headers).json()
    assert [s["topic"] for s in read["sessions"]] == ["Opening"]
    assert AuditEvent.objects.filter(action=Action.SESSION_UPDATED, details__changed=["room"]).exists()
    member = make_user("pntl", roles=(Role.AGENCY_ADMIN,))
    refused = client.post("/api/v1/programmes/editions", body, content_type="application/json", **_api(member))
    assert refused.status_code == 403


def test_demo_programmes_are_idempotent():
    from lintas.accounts.demo import seed_demo_users
    from lintas.programmes.demo import seed_demo_programmes

    seed_demo_users()
    first, second = seed_demo_programmes()
    assert (first.status, second.status, second.number) == ("completed", "planning", 2)
    assert first.sessions.count() == 5 and second.sessions.count() == 5
    panel = first.sessions.get(kind="panel")
    assert list(panel.roles.filter(role="moderator").values_list("expert__name", flat=True)) == ["JUNG Hye Ryun"]
    assert seed_demo_programmes() == [] and Edition.objects.count() == 2
    from lintas.accounts.models import User

    for username in ("aseanapol.admin", "knpa.supervisor"):
        assert User.objects.get(username=username).has_role(Role.PROGRAMME_ORGANISER)


def test_an_organiser_cannot_create_an_edition_for_another_host(make_user, signed_in):
    programme()
    client = signed_in(organiser(make_user, "spf"))
    response = client.post(
        "/programmes/editions/new/",
        {"title": "KNPA's", "host_agency": "knpa", "starts_on": "2023-11-13", "ends_on": "2023-11-17",
         "time_zone": "Asia/Seoul", "status": "planning"},
    )  # fmt: skip
    assert response.status_code == 200 and 'id="id_host_agency_error"' in response.content.decode()
    assert not Edition.objects.exists()
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).exists()


def test_a_non_organiser_learns_nothing_of_which_checklist_tasks_exist(make_user, signed_in):
    """The checklist is the organisers' own: a member who may read the edition is refused before the task is looked
    up, so an existing task and a missing one answer alike (403), and nothing is marked done."""
    done = edition(organiser(make_user), status="completed")
    task = done.checklist.get()
    client = signed_in(make_user("spf", roles=(Role.INVESTIGATOR,)))
    answers = {
        client.post(f"/programmes/editions/{done.pk}/checklist/{task_id}/done/").status_code
        for task_id in (task.pk, task.pk + 999)
    }
    assert answers == {403}
    task.refresh_from_db()
    assert not task.done


def test_secretariat_organiser_starts_a_programme_on_the_page_then_adds_its_first_edition(make_user, signed_in):
    secretariat = organiser(make_user, "aseanapol")
    client = signed_in(secretariat)
    assert 'href="/programmes/new/"' in client.get("/programmes/").content.decode()
    response = client.post("/programmes/new/", {"name": "ASEAN Cyber Investigators Course", "description": "Yearly"})
    started = Programme.objects.get(name="ASEAN Cyber Investigators Course")
    assert response.status_code == 302 and response["Location"] == f"/programmes/editions/new/?programme={started.pk}"
    assert started.coordinating_agency.code == "aseanapol"
    event = AuditEvent.objects.get(action=Action.PROGRAMME_CREATED)
    assert event.actor_id == secretariat.pk and event.details == {"name": "ASEAN Cyber Investigators Course"}
    # the new programme, without editions yet, is listed for organisers with a way to add its first edition
    page = client.get("/programmes/").content.decode()
    assert "ASEAN Cyber Investigators Course" in page and f"?programme={started.pk}" in page
    # a second programme with the same name is refused on the form, and nothing is written
    again = client.post("/programmes/new/", {"name": "ASEAN Cyber Investigators Course"})
    assert again.status_code == 200 and "exists already" in again.content.decode()
    assert Programme.objects.filter(name="ASEAN Cyber Investigators Course").count() == 1


def test_only_the_secretariats_organisers_start_programmes(make_user, signed_in):
    host_organiser = organiser(make_user, "knpa")
    admin = make_user("aseanapol", roles=(Role.AGENCY_ADMIN,))
    for user in (host_organiser, admin):
        assert signed_in(user).post("/programmes/new/", {"name": "Mine"}).status_code == 403
        response = Client().post(
            "/api/v1/programmes/programmes", {"name": "Mine"}, content_type="application/json", **_api(user)
        )
        assert response.status_code == 403
    assert not Programme.objects.filter(name="Mine").exists()
    assert 'href="/programmes/new/"' not in signed_in(host_organiser).get("/programmes/").content.decode()


def test_programmes_api_lists_and_starts_programmes(make_user):
    secretariat = organiser(make_user, "aseanapol")
    programme()
    response = Client().post(
        "/api/v1/programmes/programmes",
        {"name": "Cyber-financial Crime Workshop"},
        content_type="application/json",
        **_api(secretariat),
    )
    assert response.status_code == 201
    assert response.json()["coordinating_agency"] == "aseanapol"
    member = make_user("pntl")
    names = [p["name"] for p in Client().get("/api/v1/programmes/programmes", **_api(member)).json()]
    assert names == ["Cyber-financial Crime Workshop", "Korea-ASEAN Programme"]
