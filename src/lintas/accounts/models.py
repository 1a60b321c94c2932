"""People who use Lintas: one agency each, a set of roles, a second factor and personal API tokens."""

import hashlib
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from lintas.accounts.choices import Role, TokenScope
from lintas.core.models import AgencyScopedQuerySet, can_read

__all__ = ["ApiToken", "User", "UserRole"]


class UserQuerySet(AgencyScopedQuerySet):
    """Users are visible to their own agency; the platform admin sees the whole community's accounts."""

    agency_field = "agency"

    def _visible_to(self, user):
        if user.has_role(Role.PLATFORM_ADMIN):
            return self
        return self.filter(agency_id=user.agency_id)

    def visibility_key(self, user):
        # The rule reads a role: the cached SQL (visible_pk_sql) must not be shared across it.
        return (user.agency_id, user.has_role(Role.PLATFORM_ADMIN))

    def with_role(self, role: str):
        return self.filter(role_assignments__role=role)


class LintasUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A member agency's officer. Belongs to exactly one agency; rights come from roles, never from flags.

    ``session_epoch`` is mixed into the session hash: bumping it (logout, disable) ends every session at once.
    """

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="users")
    language = models.CharField(_("language"), max_length=8, default="en", choices=settings.LANGUAGES)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    failed_login_count = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = LintasUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_assignments.values_list("role", flat=True)) if self.pk else frozenset()

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in Role.values if role in self.roles]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())

    def get_session_auth_hash(self) -> str:
        """Password hash plus session epoch: a password change, logout or disable invalidates every session."""
        return salted_hmac(
            "lintas.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()

    def get_session_auth_fallback_hash(self):
        # Rotated SECRET_KEY_FALLBACKS keep sessions alive, but only with the current epoch.
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield salted_hmac(
                "lintas.accounts.User.get_session_auth_hash",
                f"{self.password}:{self.session_epoch}",
                secret=fallback_secret,
                algorithm="sha256",
            ).hexdigest()


class UserRole(models.Model):
    """One role held by one user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]
        indexes = [models.Index(fields=["role", "user"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.role}"


class ApiTokenQuerySet(models.QuerySet):
    trail_agency_field = "user__agency"  # whose trail records a refused access (get_visible_or_404)

    def visible_to(self, user):
        """Tokens are personal: each user sees only their own."""
        if not can_read(user):
            return self.none()
        return self.filter(user_id=user.pk)

    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A personal API token. The secret is shown once; only its SHA-256 is stored.

    Tokens are long random strings, so a fast hash is enough: there is nothing to brute-force that a slow hash would
    protect, and a slow hash would cost every API request.
    """

    PREFIX = "lnt"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(_("scope"), max_length=16, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def allows_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE
