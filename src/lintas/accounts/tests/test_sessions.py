"""Sign-in rules: lock-out, idle time-out (controlled clock), sessions ended by logout and by disabling."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from lintas.accounts import services
from lintas.accounts.choices import Role
from lintas.audit.choices import Action, Outcome
from lintas.audit.models import AuditEvent

from .factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password=TEST_PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_failures_lock_the_account_for_ten_minutes(make_user):
    user = make_user("spf")
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            response = _login(client, user.username, "wrong-password-123")
            assert response.status_code == 200
        user.refresh_from_db()
        assert user.locked_until == start + dt.timedelta(minutes=10)
        # the right password is refused while locked
        response = _login(client, user.username)
        assert response.status_code == 200 and "_auth_user_id" not in client.session
        assert "locked" in response.content.decode()
        clock.shift(dt.timedelta(minutes=9, seconds=59))
        assert "_auth_user_id" not in _login(client, user.username).wsgi_request.session
        clock.shift(dt.timedelta(seconds=2))
        response = _login(client, user.username)
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, object_id=str(user.pk)).count() == 1
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, outcome=Outcome.FAILED).count() == 5
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, outcome=Outcome.DENIED).count() == 2


def test_a_correct_password_does_not_reset_wrong_code_count(make_user, settings):
    """Someone who knows the password cannot keep guessing codes by signing in again."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("spf")
    TOTPDevice.objects.create(user=user, confirmed=True, name="phone")
    for _ in range(settings.LOCKOUT_THRESHOLD - 1):
        client = Client()
        _login(client, user.username)
        client.post("/accounts/mfa/verify/", {"code": "000000"})
    client = Client()
    _login(client, user.username)
    response = client.post("/accounts/mfa/verify/", {"code": "000000"})
    assert response["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.is_locked()
    # and a locked account's open password session cannot try codes either
    assert _login(Client(), user.username).status_code == 200


def test_session_has_an_absolute_maximum_age(make_user, signed_in, settings):
    user = make_user("spf")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(user)
        assert client.get("/").status_code == 200
        for _ in range(settings.SESSION_COOKIE_AGE // (20 * 60)):
            clock.shift(dt.timedelta(minutes=20))
            client.get("/")
        clock.shift(dt.timedelta(minutes=20))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_four_failures_then_success_resets_the_count(make_user):
    user = make_user("spf")
    client = Client()
    for _ in range(4):
        _login(client, user.username, "wrong-password-123")
    assert _login(client, user.username).status_code == 302
    user.refresh_from_db()
    assert user.failed_login_count == 0 and user.locked_until is None


def test_unknown_user_failure_is_audited_without_leaking(db):
    response = _login(Client(), "nobody.here", "whatever-password")
    assert "Wrong username or password" in response.content.decode()
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert event.actor is None and event.actor_username == "nobody.here" and event.outcome == Outcome.FAILED


def test_wrong_second_factor_codes_count_towards_lock_out(make_user, settings):
    user = make_user("spf")
    client = Client()
    services.start_totp_enrolment(user)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).update(confirmed=True)
    assert _login(client, user.username).status_code == 302
    for _ in range(settings.LOCKOUT_THRESHOLD):
        response = client.post("/accounts/mfa/verify/", {"code": "000000"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.is_locked()
    assert AuditEvent.objects.filter(action=Action.MFA_FAILED).count() == settings.LOCKOUT_THRESHOLD


def test_idle_session_ends_after_thirty_minutes(make_user, signed_in):
    user = make_user("spf")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(user)
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity refreshes the clock
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=30, seconds=5))
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert client.get("/").status_code == 302  # the session is gone, not just one request refused
    assert AuditEvent.objects.filter(action=Action.SESSION_EXPIRED, actor=user).count() == 1


def test_the_dashboard_polling_in_the_background_does_not_keep_an_idle_session_alive(make_user, signed_in):
    user = make_user("spf")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(user)
        assert client.get("/").status_code == 200
        poll = {"HTTP_HX_REQUEST": "true", "HTTP_X_LINTAS_BACKGROUND": "1"}
        for _ in range(30):  # the open dashboard asks for its inbox all the while
            clock.shift(dt.timedelta(minutes=1))
            assert client.get("/hits/inbox/", **poll).status_code == 200
        clock.shift(dt.timedelta(seconds=5))
        response = client.get("/hits/inbox/", **poll)
        assert response.status_code == 204 and response["HX-Redirect"] == "/accounts/login/"
        assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=Action.SESSION_EXPIRED, actor=user).count() == 1


def test_idle_timeout_answers_the_api_with_401(make_user, signed_in):
    user = make_user("spf")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = signed_in(user)
        assert client.get("/api/v1/me").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert client.get("/api/v1/me").status_code == 401


def test_logout_ends_every_session_of_the_user(make_user, signed_in):
    user = make_user("spf")
    laptop, phone = signed_in(user), signed_in(user)
    bystander = signed_in(make_user("spf"))
    assert laptop.get("/").status_code == 200 and phone.get("/").status_code == 200
    assert laptop.post("/accounts/logout/").status_code == 302
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302
    assert bystander.get("/").status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGOUT, actor=user).count() == 1


def test_disabling_a_user_ends_their_sessions_at_once(make_user, signed_in, admin_user):
    user = make_user("spf")
    session = signed_in(user)
    assert session.get("/").status_code == 200
    services.set_user_active(admin_user, user, False)
    assert session.get("/").status_code == 302
    assert session.get("/api/v1/me").status_code == 401
    # re-enabling does not revive the old session
    services.set_user_active(admin_user, user, True)
    assert session.get("/").status_code == 302


def test_disabled_user_cannot_sign_in(make_user):
    user = make_user("spf", is_active=False)
    response = _login(Client(), user.username)
    assert response.status_code == 200 and "_auth_user_id" not in response.wsgi_request.session


def test_open_redirect_is_refused_after_login(make_user):
    user = make_user("spf", roles=(Role.INVESTIGATOR,))
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, confirmed=True, name="x")
    response = Client().post(
        "/accounts/login/?next=https://evil.example/", {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and "evil.example" not in response["Location"]
