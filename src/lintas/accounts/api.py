"""Accounts API: who am I, my agency's users, my API tokens."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from lintas.accounts import services
from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.models import ApiToken, User
from lintas.agencies.models import Agency
from lintas.core.access import get_visible_or_404
from lintas.core.api_input import Id

__all__ = ["router"]

router = Router()


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    agency: str = Field(..., alias="agency.code")
    roles: list[str]
    is_active: bool
    language: str
    time_zone: str

    @staticmethod
    def resolve_roles(obj):
        return sorted(obj.roles)


class UserIn(Schema):
    agency: str | None = Field(None, description="Agency code; only the platform admin may name another agency.")
    username: str
    password: str
    roles: list[str] = []
    email: str = ""
    first_name: str = ""
    last_name: str = ""


class RolesIn(Schema):
    roles: list[str]


class ActiveIn(Schema):
    is_active: StrictBool  # true or false: not 0, "no" or "off", which pydantic would read as false


class TokenOut(Schema):
    id: int
    name: str
    key_id: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(Schema):
    name: str
    scope: TokenScope = TokenScope.READ
    days: int = 90


class TokenCreated(TokenOut):
    secret: str


def _users():
    return User.objects.select_related("agency").prefetch_related("role_assignments")


def _require_manager(request) -> None:
    if not request.user.has_role(Role.AGENCY_ADMIN, Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only agency admins and the platform admin manage users."))


@router.get("/me", response=UserOut, summary="The signed-in user")
def me(request):
    return request.user


@router.get("/users", response=list[UserOut], summary="Users I manage (agency admin: my agency; platform admin: all)")
def list_users(request):
    _require_manager(request)
    return _users().visible_to(request.user)


@router.get("/users/{user_id}", response=UserOut, summary="One user")
def get_user(request, user_id: Id):
    _require_manager(request)
    return get_visible_or_404(_users(), request.user, pk=user_id)


@router.post(
    "/users", response={201: UserOut}, summary="Create a user (in my agency; the platform admin may name another)"
)
def create_user(request, payload: UserIn):
    agency = request.user.agency if payload.agency is None else get_object_or_404(Agency, code=payload.agency)
    user = services.create_user(
        request.user,
        agency=agency,
        username=payload.username,
        password=payload.password,
        roles=set(payload.roles),
        email=payload.email,
        first_name=payload.first_name,
        last_name=payload.last_name,
    )
    return Status(201, user)


@router.put("/users/{user_id}/roles", response=UserOut, summary="Replace a user's roles")
def set_roles(request, user_id: Id, payload: RolesIn):
    _require_manager(request)
    user = get_visible_or_404(_users(), request.user, pk=user_id)
    return services.set_user_roles(request.user, user, set(payload.roles))


@router.put("/users/{user_id}/active", response=UserOut, summary="Disable or enable a user")
def set_active(request, user_id: Id, payload: ActiveIn):
    _require_manager(request)
    user = get_visible_or_404(_users(), request.user, pk=user_id)
    return services.set_user_active(request.user, user, payload.is_active)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request):
    return ApiToken.objects.visible_to(request.user)


@router.post("/tokens", response={201: TokenCreated}, summary="Create a personal API token (secret shown once)")
def create_token(request, payload: TokenIn):
    if getattr(request, "api_token", None) is not None:
        # A stolen token must not be able to mint fresh ones that outlive its own revocation.
        raise PermissionDenied(_("Create tokens from a signed-in session (Profile → API tokens), not with a token."))
    token, secret = services.create_api_token(request.user, name=payload.name, scope=payload.scope, days=payload.days)
    token.secret = secret
    return Status(201, token)


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke one of my API tokens")
def revoke_token(request, token_id: Id):
    token = get_visible_or_404(ApiToken.objects.select_related("user"), request.user, pk=token_id)
    return services.revoke_api_token(request.user, token)
