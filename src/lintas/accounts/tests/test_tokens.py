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


@pytest.fixture
def kept_tokens(settings):
    """Token rows kept for 2 s, as in a server (the tests' default is 0); what a test leaves is dropped after it."""
    settings.API_TOKEN_CACHE_SECONDS = 2
    services.forget_token_rows()
    yield
    services.forget_token_rows()


def _token_queries(client, secret):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me", **bearer(secret))
    return response, sum(1 for q in queries.captured_queries if "key_id" in q["sql"])


def test_a_recent_token_is_read_once_and_its_secret_checked_every_time(make_user, kept_tokens):
    user = make_user("spf")
    _, secret = services.create_api_token(user, name="sync", scope=TokenScope.READ, days=30)
    client = Client()
    client.get("/api/v1/me", **bearer(secret))  # marks the token used (and drops the row kept from before that)
    response, reads = _token_queries(client, secret)
    assert response.status_code == 200 and reads == 1
    response, reads = _token_queries(client, secret)
    assert response.status_code == 200 and reads == 0  # kept: no query
    assert response.json()["username"] == user.username
    wrong = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")  # same key id, another secret
    assert client.get("/api/v1/me", **bearer(wrong)).status_code == 401
    assert AuditEvent.objects.filter(action=Action.TOKEN_REJECTED, outcome=Outcome.DENIED).exists()


def test_a_kept_token_stops_at_once_when_revoked_or_its_user_disabled_here(
    make_user, kept_tokens, django_capture_on_commit_callbacks
):
    admin = make_user("spf", roles=(Role.AGENCY_ADMIN,))
    user = make_user("spf")
    token, secret = services.create_api_token(user, name="sync", scope=TokenScope.READ, days=30)
    _, other = services.create_api_token(user, name="second", scope=TokenScope.READ, days=30)
    client = Client()
    for key in (secret, other):
        client.get("/api/v1/me", **bearer(key))  # marks it used
        response, reads = _token_queries(client, key)
        assert response.status_code == 200 and reads == 1  # now kept
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_api_token(user, token)
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401
    response, reads = _token_queries(client, other)
    assert response.status_code == 200 and reads == 1  # kept again
    with django_capture_on_commit_callbacks(execute=True):
        services.set_user_active(admin, user, False)
    assert client.get("/api/v1/me", **bearer(other)).status_code == 401


def test_a_token_revoked_by_another_process_stops_within_the_kept_time(make_user, kept_tokens, monkeypatch):
    import time

    user = make_user("spf")
    token, secret = services.create_api_token(user, name="sync", scope=TokenScope.READ, days=30)
    client = Client()
    client.get("/api/v1/me", **bearer(secret))  # marks the token used
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())  # another process: nothing forgotten here
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 200  # within the 2 s
    later = time.monotonic() + 2.5
    monkeypatch.setattr(services.time, "monotonic", lambda: later)
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 401


def test_requests_never_share_the_kept_instances(make_user, kept_tokens):
    user = make_user("spf")
    _, secret = services.create_api_token(user, name="sync", scope=TokenScope.READ, days=30)
    first = services.authenticate_token(secret)
    first.user.agency.languages.append("xx")
    first.user.first_name = "changed in one request"
    second = services.authenticate_token(secret)
    assert second is not first and second.user is not first.user
    assert "xx" not in second.user.agency.languages and second.user.first_name != "changed in one request"
