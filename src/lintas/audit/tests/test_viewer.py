"""The audit viewer and API: who reads which trail, filters, paging."""

import pytest

from lintas.accounts.choices import Role
from lintas.audit.choices import Action, Outcome
from lintas.audit.models import AuditEvent
from lintas.audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def trails(make_user):
    spf_admin = make_user("spf", roles=(Role.AGENCY_ADMIN,))
    pntl_user = make_user("pntl")
    record_event(Action.LOGIN, actor=spf_admin, target=spf_admin)
    record_event(Action.LOGIN_FAILED, target=pntl_user, outcome=Outcome.FAILED, actor_username=pntl_user.username)
    return spf_admin, pntl_user


def test_agency_admin_reads_only_their_agency_trail(trails, signed_in):
    spf_admin, pntl_user = trails
    data = signed_in(spf_admin).get("/api/v1/audit/events?limit=100").json()
    agencies = {item["agency"] for item in data["items"]}
    assert agencies == {"spf"}
    assert pntl_user.username not in str(data)


def test_platform_admin_reads_every_trail(trails, platform_admin, signed_in):
    data = signed_in(platform_admin).get("/api/v1/audit/events?limit=500").json()
    assert {"spf", "pntl"} <= {item["agency"] for item in data["items"]}


def test_officers_without_admin_role_cannot_read_the_trail(make_user, signed_in):
    client = signed_in(make_user("spf", roles=(Role.INVESTIGATOR, Role.SUPERVISOR)))
    assert client.get("/audit/").status_code == 403
    assert client.get("/api/v1/audit/events").status_code == 403
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, outcome=Outcome.DENIED).count() == 2


def test_filters_narrow_the_trail(trails, platform_admin, signed_in):
    client = signed_in(platform_admin)
    failed = client.get("/api/v1/audit/events?outcome=failed").json()["items"]
    assert failed and all(item["outcome"] == "failed" for item in failed)
    by_action = client.get("/api/v1/audit/events?action=auth.login").json()["items"]
    assert by_action and all(item["action"] == "auth.login" for item in by_action)
    page = client.get("/audit/?outcome=failed")
    assert page.status_code == 200
    assert all(event.outcome == "failed" for event in page.context["page"])


def test_bad_filters_are_a_clear_error(platform_admin, signed_in):
    client = signed_in(platform_admin)
    response = client.get("/api/v1/audit/events?action=no.such.action")
    assert response.status_code == 422 and "action" in response.json()["errors"]
    response = client.get("/api/v1/audit/events?date_from=2026-02-01&date_to=2026-01-01")
    assert response.status_code == 422
    page = client.get("/audit/?date_from=2026-02-01&date_to=2026-01-01")
    assert page.status_code == 200 and "start date is after the end date" in page.content.decode()


def test_viewing_the_trail_is_itself_audited(trails, signed_in):
    spf_admin, _ = trails
    signed_in(spf_admin).get("/audit/")
    assert AuditEvent.objects.filter(action=Action.AUDIT_VIEWED, actor=spf_admin).count() == 1


def test_events_carry_request_id_and_client_ip(make_user, signed_in):
    admin = make_user("spf", roles=(Role.AGENCY_ADMIN,))
    client = signed_in(admin)
    response = client.get("/audit/", HTTP_X_REQUEST_ID="req-abcdef123456", REMOTE_ADDR="203.0.113.9")
    assert response["X-Request-ID"] == "req-abcdef123456"
    event = AuditEvent.objects.get(action=Action.AUDIT_VIEWED)
    assert event.request_id == "req-abcdef123456" and event.client_ip == "203.0.113.9"
