"""Personal API tokens: shown once, stored hashed, scoped, expiring, revocable."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from lintas.accounts import services
from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.models import ApiToken
from lintas.audit.choices import Action, Outcome
from lintas.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_secret_is_never_stored(make_user):
    user = make_user("spf")
    token, secret = services.create_api_token(user, name="sync", scope=TokenScope.READ, days=30)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.key_hash, stored.key_id, stored.name}
    assert stored.key_hash == ApiToken.hash_secret(secret)
    assert AuditEvent.objects.filter(action=Action.TOKEN_CREATED, object_id=str(token.pk)).exists()


def test_read_token_reads_but_cannot_write(make_user):
    user = make_user("spf", roles=(Role.AGENCY_ADMIN, Role.INVESTIGATOR))
    _, secret = services.create_api_token(user, name="read", scope=TokenScope.READ, days=30)
    client = Client()
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 200 and response.json()["username"] == user.username
    response = client.post("/api/v1/tokens", {"name": "more"}, content_type="application/json", **bearer(secret))
    assert response.status_code == 403
    assert ApiToken.objects.filter(user=user).count() == 1


def test_read_write_token_can_write(admin_user, make_user):
    target = make_user("spf")
    _, secret = services.create_api_token(admin_user, name="rw", scope=TokenScope.READ_WRITE, days=30)
    response = Client().put(
        f"/api/v1/users/{target.pk}/active", {"is_active": False}, content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 200 and response.json()["is_active"] is False


def test_a_token_cannot_mint_tokens(make_user, signed_in):
    user = make_user("spf")
    _, secret = services.create_api_token(user, name="rw", scope=TokenScope.READ_WRITE, days=30)
    response = Client().post("/api/v1/tokens", {"name": "child"}, content_type="application/json", **bearer(secret))
    assert response.status_code == 403
    assert ApiToken.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=user).exists()
    response = signed_in(user).post("/api/v1/tokens", {"name": "from session"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["secret"].startswith("lnt_")


def test_expired_token_is_refused_and_audited(make_user):
    user = make_user("spf")
    _, secret = services.create_api_token(user, name="short", scope=TokenScope.READ, days=1)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401
    event = AuditEvent.objects.get(action=Action.TOKEN_REJECTED)
    assert event.outcome == Outcome.DENIED and event.details["reason"] == "expired"


def test_revoked_token_is_refused(make_user):
    user = make_user("spf")
    token, secret = services.create_api_token(user, name="gone", scope=TokenScope.READ, days=30)
    services.revoke_api_token(user, token)
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401
    assert AuditEvent.objects.filter(action=Action.TOKEN_REVOKED).count() == 1


def test_disabled_users_tokens_stop_working(make_user, admin_user):
    user = make_user("spf")
    _, secret = services.create_api_token(user, name="t", scope=TokenScope.READ, days=30)
    services.set_user_active(admin_user, user, False)
    assert Client().get("/api/v1/me", **bearer(secret)).status_code == 401


def test_forged_and_malformed_tokens_are_refused(make_user):
    user = make_user("spf")
    token, _secret = services.create_api_token(user, name="t", scope=TokenScope.READ, days=30)
    forged = f"lnt_{token.key_id}_{'A' * 43}"
    for bad in (forged, "garbage", "lnt_x_y", ""):
        assert Client().get("/api/v1/me", **bearer(bad)).status_code == 401


def test_token_lifetime_is_bounded(make_user, settings):
    user = make_user("spf")
    from django.core.exceptions import ValidationError

    for days in (0, settings.API_TOKEN_MAX_DAYS + 1):
        with pytest.raises(ValidationError):
            services.create_api_token(user, name="t", scope=TokenScope.READ, days=days)


def test_nobody_revokes_another_users_token(make_user, signed_in):
    owner, other = make_user("spf"), make_user("spf")
    token, _ = services.create_api_token(owner, name="t", scope=TokenScope.READ, days=30)
    response = signed_in(other).post(f"/accounts/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_profile_page_shows_a_new_secret_once(make_user, signed_in):
    user = make_user("spf")
    client = signed_in(user)
    response = client.post("/accounts/profile/", {"form": "token", "name": "cli", "scope": "read", "days": 30})
    secret = response.context["new_secret"]
    assert secret and secret in response.content.decode()
    assert secret not in client.get("/accounts/profile/").content.decode()


def test_a_bearer_token_loads_exactly_what_the_orm_loads(make_user):
    """authenticate_token reads the token, its user and agency with prepared SQL: every field as the ORM gives it."""
    from lintas.accounts.services import _token_with_user

    user = make_user("knpa", roles=(Role.INVESTIGATOR,))
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    token, _secret = services.create_api_token(user, name="t", scope=TokenScope.READ, days=3)
    fast = _token_with_user(token.key_id)
    slow = ApiToken.objects.select_related("user", "user__agency").get(key_id=token.key_id)
    for mine, theirs in ((fast, slow), (fast.user, slow.user), (fast.user.agency, slow.user.agency)):
        for field in type(theirs)._meta.concrete_fields:
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
        assert mine._state.adding is False and mine._state.db == theirs._state.db
    assert _token_with_user("no-such-key") is None


def test_a_token_request_without_a_session_cookie_never_loads_a_session_user(make_user, monkeypatch):
    """The session rules (idle time-out, preferences, second factor) answer "no session" from the missing cookie,
    without loading the session's user; a browser's request still loads it."""
    from django.contrib import auth

    user = make_user("spf")
    _, secret = services.create_api_token(user, name="read", scope=TokenScope.READ, days=30)
    loads: list[bool] = []
    get_user = auth.get_user
    monkeypatch.setattr(auth, "get_user", lambda request: loads.append(True) or get_user(request))
    response = Client().get("/api/v1/me", **bearer(secret))
    assert response.status_code == 200 and response.json()["username"] == user.username
    assert loads == []
    browser = Client()
    browser.force_login(user)
    browser.get("/api/v1/me")
    assert loads  # the session's user, loaded for the session rules and the API's session authentication
