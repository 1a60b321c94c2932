"""The second factor: mandatory enrolment, verification at each sign-in, recovery codes."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

from .factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enrol(client, user) -> list[str]:
    assert client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})["Location"] == (
        "/accounts/mfa/setup/"
    )
    page = client.get("/accounts/mfa/setup/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/mfa/setup/", {"code": _code(device)})
    assert response.status_code == 200
    return list(response.context["codes"])


def test_first_login_must_enrol_before_anything_else(make_user):
    user = make_user("spf")
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    for path in ("/", "/directory/", "/accounts/profile/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/mfa/setup/"
    assert client.get("/api/v1/me").status_code == 401


def test_enrolment_with_a_wrong_code_is_refused(make_user):
    user = make_user("spf")
    client = Client()
    client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    client.get("/accounts/mfa/setup/")
    response = client.post("/accounts/mfa/setup/", {"code": "123456"})
    assert response.status_code == 200 and "not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_enrolment_then_each_sign_in_asks_for_a_code(make_user):
    user = make_user("spf")
    codes = _enrol(Client(), user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert AuditEvent.objects.filter(action=Action.MFA_ENROLLED, actor=user).count() == 1

    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response["Location"].startswith("/accounts/mfa/verify/")
    assert client.get("/")["Location"].startswith("/accounts/mfa/verify/")
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    device.refresh_from_db()
    device.last_t = -1  # allow the same time step again, as a new 30-second window would
    device.save()
    response = client.post("/accounts/mfa/verify/", {"code": _code(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_recovery_code_works_once(make_user):
    user = make_user("spf")
    codes = _enrol(Client(), user)
    for expected in (302, 200):
        client = Client()
        client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
        response = client.post("/accounts/mfa/verify/", {"code": codes[0]})
        assert response.status_code == expected
    assert AuditEvent.objects.filter(action=Action.RECOVERY_CODE_USED).count() == 1


def test_admin_reset_forces_a_new_enrolment(make_user, admin_user):
    from lintas.accounts import services

    user = make_user("spf")
    _enrol(Client(), user)
    services.reset_mfa(admin_user, user)
    assert not TOTPDevice.objects.filter(user=user).exists()
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response["Location"] == "/accounts/mfa/setup/"


def test_demo_mode_lets_users_without_an_authenticator_skip(make_user, settings):
    settings.MFA_REQUIRED = False
    user = make_user("spf")
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
