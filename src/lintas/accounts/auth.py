"""API authentication: personal bearer tokens, or a complete browser session (with CSRF)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from lintas.accounts import mfa, services

__all__ = ["BearerTokenAuth", "SessionAuth", "api_auth", "read_auth"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer lnt_...``. A read-only token may only read.

    ``reads_by_post`` marks operations that take their input in a POST body but change nothing (normalise,
    extract, lookup): a read-only token may use them.
    """

    openapi_scheme = "bearer"

    def __init__(self, reads_by_post: bool = False):
        super().__init__()
        self.reads_by_post = reads_by_post

    def authenticate(self, request: HttpRequest, token: str):
        api_token = services.authenticate_token(token)
        if api_token is None:
            return None
        if request.method not in SAFE_METHODS and not api_token.allows_write and not self.reads_by_post:
            from lintas.audit.choices import Action, Outcome
            from lintas.audit.services import record_event

            record_event(
                Action.ACCESS_DENIED,
                actor=api_token.user,
                outcome=Outcome.DENIED,
                target=api_token,
                agency=api_token.user.agency,
                details={"reason": "read-only token used to write", "path": request.path},
            )
            raise HttpError(403, _("This token is read-only."))
        request.user = api_token.user
        request.api_token = api_token
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The browser's session, only once the second factor is given; CSRF-checked for writes."""

    param_name = "sessionid"

    def __init__(self):
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is not None and mfa.session_is_complete(user):
            return user
        return None


api_auth = [BearerTokenAuth(), SessionAuth()]
read_auth = [BearerTokenAuth(reads_by_post=True), SessionAuth()]
