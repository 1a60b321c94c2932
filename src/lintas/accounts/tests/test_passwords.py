"""Passwords: change your own, an admin sets a lost one, first admins from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lintas.accounts import services
from lintas.accounts.choices import Role
from lintas.accounts.models import User
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

from .factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
NEW = "a-brand-new-passphrase-77"


def test_change_own_password_keeps_this_session_and_ends_the_others(make_user, signed_in):
    user = make_user("spf")
    here, elsewhere = signed_in(user), signed_in(user)
    response = here.post(
        "/accounts/profile/", {"form": "password", "current": TEST_PASSWORD, "new": NEW, "confirm": NEW}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED, actor=user).count() == 1


def test_wrong_current_or_weak_new_password_changes_nothing(make_user, signed_in):
    user = make_user("spf")
    client = signed_in(user)
    for data in (
        {"current": "not-my-password", "new": NEW, "confirm": NEW},
        {"current": TEST_PASSWORD, "new": "short", "confirm": "short"},
        {"current": TEST_PASSWORD, "new": NEW, "confirm": NEW + "x"},
    ):
        response = client.post("/accounts/profile/", {"form": "password", **data})
        assert response.status_code == 200 and response.context["password_form"].errors
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_admin_sets_a_lost_password_and_ends_sessions(admin_user, make_user, signed_in):
    user = make_user("spf")
    session = signed_in(user)
    response = signed_in(admin_user).post(f"/users/{user.pk}/", {"action": "set_password", "password": NEW})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert session.get("/").status_code == 302


def test_admin_cannot_set_another_agency_users_password(admin_user, make_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_password_by_admin(admin_user, make_user("pntl"), NEW)


def test_createadmin_makes_a_first_admin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW + "\n"))
    call_command("createadmin", agency="rtp", username="rtp.first", password_stdin=True, stdout=io.StringIO())
    user = User.objects.get(username="rtp.first")
    assert user.agency.code == "rtp" and user.roles == {Role.AGENCY_ADMIN, Role.SUPERVISOR}
    event = AuditEvent.objects.get(action=Action.USER_CREATED)
    assert event.request_id == "cli:createadmin" and event.agency == user.agency


def test_createadmin_for_the_secretariat_is_platform_admin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(NEW + "\n"))
    call_command("createadmin", agency="aseanapol", username="sec.first", password_stdin=True, stdout=io.StringIO())
    assert Role.PLATFORM_ADMIN in User.objects.get(username="sec.first").roles


def test_createadmin_refuses_bad_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("weak\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command("createadmin", agency="rtp", username="x.y", password_stdin=True)
    with pytest.raises(CommandError, match="Known codes"):
        call_command("createadmin", agency="nowhere", username="x.y", password_stdin=True)
    assert not User.objects.filter(username="x.y").exists()


def test_platform_admin_creates_an_agencys_first_admin_in_the_ui(platform_admin, signed_in):
    client = signed_in(platform_admin)
    response = client.post(
        "/users/new/",
        {"agency": "cnp", "username": "cnp.first", "password": TEST_PASSWORD, "roles": [Role.AGENCY_ADMIN]},
    )
    assert response.status_code == 302
    user = User.objects.get(username="cnp.first")
    assert user.agency.code == "cnp" and user.roles == {Role.AGENCY_ADMIN}


def test_agency_admin_cannot_pick_another_agency(admin_user, signed_in):
    client = signed_in(admin_user)
    assert "agency" not in client.get("/users/new/").context["form"].fields
    response = client.post(
        "/users/new/", {"agency": "cnp", "username": "sneaky", "password": TEST_PASSWORD, "roles": ["investigator"]}
    )
    assert User.objects.get(username="sneaky").agency == admin_user.agency  # the field is ignored, not obeyed
    assert response.status_code == 302
    response = Client().get("/users/new/")
    assert response.status_code == 302


def test_guessing_the_current_password_locks_the_account_and_ends_the_session(make_user, signed_in, settings):
    user = make_user("spf")
    client = signed_in(user)
    for _ in range(settings.LOCKOUT_THRESHOLD):
        client.post(
            "/accounts/profile/", {"form": "password", "current": "guess-guess-guess", "new": NEW, "confirm": NEW}
        )
    user.refresh_from_db()
    assert user.is_locked() and user.check_password(TEST_PASSWORD)
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, object_id=str(user.pk)).count() == 5


def test_users_of_an_inactive_agency_cannot_sign_in_or_be_created(make_user, platform_admin):
    from lintas.agencies.services import update_agency

    user = make_user("mpf")
    update_agency(platform_admin, user.agency, is_active=False)
    response = Client().post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_user(platform_admin, agency=user.agency, username="x.y", password=NEW, roles=set())
