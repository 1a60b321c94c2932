"""Every write to accounts: users, roles, sign-in, second factor, API tokens, preferences.

Each service takes the acting user, runs in one transaction and records its audit event in that transaction.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lintas.accounts.choices import Role, TokenScope
from lintas.accounts.models import ApiToken, User, UserRole
from lintas.accounts.permissions import can_manage, can_manage_agency, grantable_roles
from lintas.agencies.models import Agency
from lintas.audit.choices import Action, Outcome
from lintas.audit.services import record_event
from lintas.core.db import prepared_cursor

__all__ = [
    "LoginAttempt",
    "authenticate_token",
    "change_password",
    "check_login",
    "confirm_totp",
    "create_api_token",
    "create_user",
    "end_all_sessions",
    "record_mfa_failure",
    "record_mfa_success",
    "regenerate_recovery_codes",
    "reset_mfa",
    "revoke_api_token",
    "set_password_by_admin",
    "set_user_active",
    "set_user_roles",
    "start_totp_enrolment",
    "update_preferences",
]

RECOVERY_CODE_COUNT = 10


def _check_roles(actor: User, agency: Agency, roles: set[str]) -> None:
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))})
    not_allowed = roles - grantable_roles(actor, agency)
    if not_allowed:
        labels = ", ".join(str(Role(r).label) for r in sorted(not_allowed))
        raise PermissionDenied(_("You may not grant these roles: %(roles)s") % {"roles": labels})


def _write_roles(user: User, roles: set[str]) -> None:
    UserRole.objects.filter(user=user).exclude(role__in=roles).delete()
    existing = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in sorted(roles - existing)])
    user.__dict__.pop("roles", None)


@transaction.atomic
def create_user(
    actor: User | None,
    *,
    agency: Agency,
    username: str,
    password: str,
    roles: set[str] | frozenset[str],
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "en",
    time_zone: str | None = None,
) -> User:
    """Create a user of ``agency`` with ``roles``. ``actor`` None means the system (demo seeding, first admin)."""
    roles = set(roles)
    if not agency.is_active:
        raise ValidationError({"agency": _("This agency is not an active member.")})
    if actor is not None:
        if not can_manage_agency(actor, agency):
            raise PermissionDenied(_("You may not create users in this agency."))
        _check_roles(actor, agency, roles)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(
        agency=agency,
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
        time_zone=time_zone or agency.time_zone,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    _write_roles(user, roles)
    record_event(Action.USER_CREATED, actor=actor, target=user, details={"roles": sorted(roles)})
    return user


@transaction.atomic
def set_user_roles(actor: User, user: User, roles: set[str] | frozenset[str]) -> User:
    """Replace ``user``'s roles. The actor must be allowed to grant every role added and remove every role taken."""
    if not can_manage(actor, user):
        raise PermissionDenied(_("You may not change this user's roles."))
    roles = set(roles)
    before = set(user.roles)
    _check_roles(actor, user.agency, roles ^ before)
    _write_roles(user, roles)
    record_event(
        Action.USER_ROLES_CHANGED,
        actor=actor,
        target=user,
        details={"added": sorted(roles - before), "removed": sorted(before - roles)},
    )
    return user


@transaction.atomic
def set_user_active(actor: User, user: User, active: bool) -> User:
    """Disable or re-enable a user. Disabling ends every session at once, and every API token at once in this
    process and within ``API_TOKEN_CACHE_SECONDS`` in the others (decision 0028)."""
    if not can_manage(actor, user):
        raise PermissionDenied(_("You may not change this user's status."))
    if user.is_active == active:
        return user
    user.is_active = active
    fields = ["is_active"]
    if not active:
        user.session_epoch = F("session_epoch") + 1
        fields.append("session_epoch")
    user.save(update_fields=fields)
    user.refresh_from_db(fields=["session_epoch"])
    if not active:
        transaction.on_commit(forget_token_rows)
    record_event(Action.USER_ENABLED if active else Action.USER_DISABLED, actor=actor, target=user)
    return user


def change_password(user: User, *, current: str, new: str) -> User:
    """The user changes their own password. Every other session of theirs ends (the session hash changes).

    A wrong current password counts like a failed sign-in: a stolen session cannot guess on and on, and reaching
    the lock-out ends every session of the account.
    """
    if not user.check_password(current):
        _count_failure(user, "wrong current password on password change", end_sessions_on_lock=True)
        raise ValidationError({"current": _("Your current password is not correct.")})
    validate_password(new, user)
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        User.objects.filter(pk=user.pk).update(failed_login_count=0)
        record_event(Action.PASSWORD_CHANGED, actor=user, target=user)
    return user


@transaction.atomic
def set_password_by_admin(actor: User, user: User, password: str) -> User:
    """An admin sets a new password for a user who lost theirs; the user's sessions end at once."""
    if not can_manage(actor, user):
        raise PermissionDenied(_("You may not set this user's password."))
    validate_password(password, user)
    user.set_password(password)
    user.session_epoch = F("session_epoch") + 1
    user.save(update_fields=["password", "session_epoch"])
    user.refresh_from_db(fields=["session_epoch"])
    record_event(Action.USER_UPDATED, actor=actor, target=user, details={"password": "set by admin"})
    return user


@transaction.atomic
def reset_mfa(actor: User, user: User) -> None:
    """Remove a user's second factor so they enrol again at next login (lost phone)."""
    if not can_manage(actor, user):
        raise PermissionDenied(_("You may not reset this user's second factor."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.session_epoch = F("session_epoch") + 1
    user.save(update_fields=["session_epoch"])
    record_event(Action.USER_MFA_RESET, actor=actor, target=user)


@transaction.atomic
def end_all_sessions(user: User, *, reason: Action = Action.LOGOUT) -> None:
    """End every session of ``user`` on every device (logout ends them all)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    record_event(reason, actor=user, target=user)


@dataclass(frozen=True)
class LoginAttempt:
    user: User | None
    error: str = ""


def check_login(username: str, password: str) -> LoginAttempt:
    """Check a password sign-in, applying the lock-out rule. Records success, failure and lock-out."""
    from django.contrib.auth import authenticate

    now = timezone.now()
    candidate = User.objects.filter(username__iexact=username.strip()).select_related("agency").first()
    # One message for every refusal, so a locked account does not tell a stranger that the username exists.
    generic = _(
        "Wrong username or password. After %(count)d failed attempts an account is locked for %(minutes)d minutes."
    ) % {"count": settings.LOCKOUT_THRESHOLD, "minutes": settings.LOCKOUT_MINUTES}
    # The password is always checked, so a locked account answers as slowly as a wrong password.
    user = authenticate(username=candidate.username if candidate else username, password=password)
    refusal = ""
    if candidate is not None and candidate.is_locked(now):
        refusal = "locked"
    elif candidate is not None and not candidate.agency.is_active:
        refusal = "agency inactive"
    if refusal:
        record_event(
            Action.LOGIN_FAILED,
            target=candidate,
            outcome=Outcome.DENIED,
            actor_username=candidate.username,
            details={"reason": refusal},
        )
        return LoginAttempt(None, generic)
    if user is None:
        if candidate is None:
            record_event(
                Action.LOGIN_FAILED,
                outcome=Outcome.FAILED,
                actor_username=username,
                details={"reason": "unknown user"},
            )
        else:
            _count_failure(candidate, "bad password")
        return LoginAttempt(None, generic)
    with transaction.atomic():
        # The failure count also counts wrong one-time codes: it is reset only once the whole sign-in succeeded.
        reset = {} if user_has_device(user, confirmed=True) else {"failed_login_count": 0}
        User.objects.filter(pk=user.pk).update(locked_until=None, last_login=now, **reset)
        record_event(Action.LOGIN, actor=user, target=user)
    return LoginAttempt(user)


@transaction.atomic
def _count_failure(
    user: User, reason: str, action: Action = Action.LOGIN_FAILED, *, end_sessions_on_lock: bool = False
) -> bool:
    """Count one failed attempt; lock the account at the threshold. Returns True if it is now locked."""
    User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    user.refresh_from_db(fields=["failed_login_count", "locked_until"])
    record_event(
        action,
        target=user,
        outcome=Outcome.FAILED,
        actor_username=user.username,
        details={"reason": reason, "failures": user.failed_login_count},
    )
    if user.failed_login_count >= settings.LOCKOUT_THRESHOLD:
        until = timezone.now() + dt.timedelta(minutes=settings.LOCKOUT_MINUTES)
        ends = {"session_epoch": F("session_epoch") + 1} if end_sessions_on_lock else {}
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=until, **ends)
        record_event(
            Action.LOCKED_OUT,
            target=user,
            outcome=Outcome.DENIED,
            actor_username=user.username,
            details={"until": until.isoformat()},
        )
        return True
    return False


def record_mfa_failure(user: User) -> bool:
    """A wrong second-factor code counts towards the same lock-out as a wrong password."""
    return _count_failure(user, "bad one-time code", Action.MFA_FAILED)


@transaction.atomic
def record_mfa_success(user: User, *, recovery_code: bool = False) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0)
    record_event(Action.RECOVERY_CODE_USED if recovery_code else Action.MFA_VERIFIED, actor=user, target=user)


def start_totp_enrolment(user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created on first call and reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_totp(user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm enrolment with a code from the app. Returns fresh recovery codes, or None if the code is wrong."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    record_event(Action.MFA_ENROLLED, actor=user, target=user)
    return codes


def _recovery_code() -> str:
    """70 random bits as two groups of seven base32 letters (fits django-otp's 16-character token column)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    letters = "".join(secrets.choice(alphabet) for _ in range(14))
    return f"{letters[:7]}-{letters[7:]}"


def _new_recovery_codes(user: User) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery codes"})
    static.token_set.all().delete()
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes(user)
    record_event(Action.RECOVERY_CODES_REGENERATED, actor=user, target=user)
    return codes


@transaction.atomic
def create_api_token(user: User, *, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """Create a personal token. Returns the token and its secret, which is never shown or stored again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": _("Unknown scope.")})
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("A token lives between 1 and %(max)d days.") % {"max": settings.API_TOKEN_MAX_DAYS}}
        )
    key_id = secrets.token_hex(6)
    secret = f"{ApiToken.PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_id=key_id,
        key_hash=ApiToken.hash_secret(secret),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    record_event(
        Action.TOKEN_CREATED,
        actor=user,
        target=token,
        agency=user.agency,
        details={"name": name, "scope": scope, "expires_at": token.expires_at.isoformat()},
    )
    return token, secret


@transaction.atomic
def revoke_api_token(actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not can_manage(actor, token.user):
        raise PermissionDenied(_("You may not revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        transaction.on_commit(forget_token_rows)
        record_event(
            Action.TOKEN_REVOKED, actor=actor, target=token, agency=token.user.agency, details={"name": token.name}
        )
    return token


_TOKEN_JOIN = (("t", ApiToken), ("u", User), ("a", Agency))
_token_sql: dict[str, tuple[str, list]] = {}  # per database alias: the SQL and, per model, its fields and converters
# What this process read lately of each token, by database alias and key id: (read until, values per model of
# _TOKEN_JOIN). At most _TOKEN_ROWS_KEPT tokens; see settings.API_TOKEN_CACHE_SECONDS.
_token_rows: dict[tuple[str, str], tuple[float, tuple[list, ...]]] = {}
_TOKEN_ROWS_KEPT = 1000


def forget_token_rows() -> None:
    """Drop what this process keeps of recent tokens: a revoked token or a disabled user stops here at once."""
    _token_rows.clear()


def _token_with_user(key_id: str) -> ApiToken | None:
    """The token with ``key_id``, its user and the user's agency, as new instances: what
    ``ApiToken.objects.select_related("user", "user__agency").filter(key_id=...).first()`` returns.

    Read in one query, from SQL and field converters prepared once (the ORM compiled the same join again on every API
    request: 0.6 ms of each), as a statement PostgreSQL plans once per connection. The values read are kept for
    ``API_TOKEN_CACHE_SECONDS`` (decision 0028): a client calling many times a second then costs no query (a fifth of
    a single-value lookup's worker CPU and a third of PostgreSQL's, measured in process). Only values are kept, so no
    two requests share an instance."""
    alias = connection.alias
    keep = settings.API_TOKEN_CACHE_SECONDS
    now = time.monotonic()
    kept = _token_rows.get((alias, key_id)) if keep else None
    if kept is not None and kept[0] > now:
        return _token_objects(alias, kept[1])
    values = _read_token(alias, key_id)
    if values is None:
        return None  # unknown ids are not kept: guessing them must not fill the memory
    if keep:
        if len(_token_rows) >= _TOKEN_ROWS_KEPT:
            _token_rows.clear()
        _token_rows[(alias, key_id)] = (now + keep, values)
    return _token_objects(alias, values)


def _token_objects(alias: str, values: tuple[list, ...]) -> ApiToken:
    token, user, agency = (
        model.from_db(alias, attnames, [copy.deepcopy(v) if isinstance(v, list | dict) else v for v in row])
        for (model, attnames, _converters, _expressions), row in zip(_token_sql[alias][1], values, strict=True)
    )
    User._meta.get_field("agency").set_cached_value(user, agency)
    ApiToken._meta.get_field("user").set_cached_value(token, user)
    return token


def _read_token(alias: str, key_id: str) -> tuple[list, ...] | None:
    """The converted values of the token's row, its user's and its agency's, or None."""
    prepared = _token_sql.get(alias)
    if prepared is None:
        quote, columns, models = connection.ops.quote_name, [], []
        for table_alias, model in _TOKEN_JOIN:
            fields = list(model._meta.concrete_fields)
            converters = []
            for field in fields:
                column = field.get_col(table_alias)
                converters.append(connection.ops.get_db_converters(column) + field.get_db_converters(connection))
                columns.append(f"{table_alias}.{quote(field.column)}")
            models.append((model, [f.attname for f in fields], converters, [f.get_col(table_alias) for f in fields]))
        tables = {model: quote(model._meta.db_table) for _a, model in _TOKEN_JOIN}
        sql = (
            f"SELECT {', '.join(columns)} FROM {tables[ApiToken]} t "  # noqa: S608 - quoted model names
            f"JOIN {tables[User]} u ON u.id = t.user_id JOIN {tables[Agency]} a ON a.id = u.agency_id "
            "WHERE t.key_id = %s"
        )
        prepared = _token_sql[alias] = (sql, models)
    sql, models = prepared
    with prepared_cursor() as cursor:
        cursor.execute(sql, [key_id])
        row = cursor.fetchone()
    if row is None:
        return None
    converted, start = [], 0
    for _model, attnames, converters, expressions in models:
        values = list(row[start : start + len(attnames)])
        start += len(attnames)
        for index, functions in enumerate(converters):
            for function in functions:
                values[index] = function(values[index], expressions[index], connection)
        converted.append(values)
    return tuple(converted)


def authenticate_token(secret: str) -> ApiToken | None:
    """The usable token for a bearer secret, or None. Rejections of well-formed but bad tokens are audited."""
    import hmac

    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != ApiToken.PREFIX:
        return None
    token = _token_with_user(parts[1])
    if token is None or not hmac.compare_digest(token.key_hash, ApiToken.hash_secret(secret)):
        record_event(
            Action.TOKEN_REJECTED, outcome=Outcome.DENIED, details={"reason": "unknown token"}, actor_username=""
        )
        return None
    now = timezone.now()
    reason = (
        "revoked"
        if token.revoked_at is not None
        else "expired"
        if token.expires_at <= now
        else "user disabled"
        if not token.user.is_active
        else ""
    )
    if reason:
        record_event(
            Action.TOKEN_REJECTED,
            target=token,
            outcome=Outcome.DENIED,
            agency=token.user.agency,
            actor_username=token.user.username,
            details={"reason": reason},
        )
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        _token_rows.pop((connection.alias, token.key_id), None)  # read again, with the new time
    return token


@transaction.atomic
def update_preferences(user: User, *, language: str | None = None, time_zone: str | None = None) -> User:
    import zoneinfo

    changed = {}
    if language is not None and language != user.language:
        if language not in dict(settings.LANGUAGES):
            raise ValidationError({"language": _("Unknown language.")})
        user.language = language
        changed["language"] = language
    if time_zone is not None and time_zone != user.time_zone:
        if time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": _("Unknown time zone.")})
        user.time_zone = time_zone
        changed["time_zone"] = time_zone
    if changed:
        user.save(update_fields=list(changed))
        record_event(Action.PROFILE_UPDATED, actor=user, target=user, details=changed)
    return user
