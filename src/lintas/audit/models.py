"""The append-only audit trail, sealed into a SHA-256 hash chain."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lintas.accounts.choices import Role
from lintas.audit.choices import Action, Outcome
from lintas.core.models import AgencyScopedQuerySet

__all__ = ["AuditChainHead", "AuditEvent"]


class AuditEventQuerySet(AgencyScopedQuerySet):
    """Agency admins see their agency's events; the platform admin sees all; nobody else reads the trail."""

    agency_field = "agency"

    def _visible_to(self, user):
        if user.has_role(Role.PLATFORM_ADMIN):
            return self
        if user.has_role(Role.AGENCY_ADMIN):
            return self.filter(agency_id=user.agency_id)
        return self.none()

    def visibility_key(self, user):
        # The rule reads two roles: the cached SQL (visible_pk_sql) must not be shared across them.
        return (user.agency_id, user.has_role(Role.PLATFORM_ADMIN), user.has_role(Role.AGENCY_ADMIN))

    def sealed(self):
        return self.filter(seq__isnull=False)

    def unsealed(self):
        return self.filter(seq__isnull=True)

    def update(self, **kwargs):
        # The chain fields are written by the sealer alone, through the plain base manager. Nothing else changes.
        raise PermissionError("Audit events are append-only")

    def delete(self):
        raise PermissionError("Audit events are append-only")


class AuditEvent(models.Model):
    """One audited action. Written by the service layer in the same transaction as the action it records.

    Inserted freely (no lock on the chain) and sealed in order shortly after by ``seal_pending``: ``seq`` is the
    position in the chain, ``prev_hash`` the previous sealed event's hash and ``hash`` the SHA-256 of this event's
    content together with ``seq`` and ``prev_hash``. Actor name and agency are copied so they survive deletion.

    Actor and agency are references without a database constraint (``db_constraint=False``; Django still applies
    SET_NULL and PROTECT when one is deleted): checking them locked the user's and the agency's rows for every
    event, so every writer of an agency queued on its row; single-value lookups ran at 761-763 a second with them and
    828-880 without, in the same run (decision 0025).
    """

    occurred_at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    actor_agency_code = models.CharField(_("actor's agency"), max_length=16, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,  # members are deactivated, never deleted: the trail keeps its owner
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trail of agency"),
        db_index=False,  # audit_agency_time leads with it
        db_constraint=False,
    )
    action = models.CharField(_("action"), max_length=64, choices=Action.choices)  # indexed below, for "="
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    seq = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        # Every request writes an event, and each index is written with it: no index serves what another does (a
        # plain index on action, not also the LIKE one PostgreSQL adds for db_index; none on agency alone).
        indexes = [
            models.Index(fields=["action"], name="audit_action"),
            models.Index(fields=["agency", "-occurred_at"], name="audit_agency_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_username} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only")


class AuditChainHead(models.Model):
    """The one row that serialises sealing: the last sealed position and hash."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    sealed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"audit chain head {self.seq}"
