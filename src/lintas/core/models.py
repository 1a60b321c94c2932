"""The owned base every model holding agency data inherits, and its one access path.

Every read of agency-owned data goes through ``visible_to(user)``: views, API, exports, search and jobs alike. Nothing
filters by agency by hand. Subclasses widen visibility (sharing rules) by overriding ``_visible_to``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AgencyScopedQuerySet", "JobRecord", "JobStatus", "OwnedModel", "OwnedQuerySet", "can_read"]


def can_read(user) -> bool:
    """Anonymous and disabled users read nothing: the first check of every ``visible_to``."""
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


_visible_sql: dict[tuple, tuple[str, tuple]] = {}  # see AgencyScopedQuerySet.visible_pk_sql


class AgencyScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to an agency; ``visible_to`` is the only way to read them for a user.

    ``agency_field`` names the field holding the owning agency. Anonymous and disabled users see nothing.
    """

    agency_field = "owner_agency"

    def visible_to(self, user):
        if not can_read(user):
            return self.none()
        return self._visible_to(user)

    def _visible_to(self, user):
        return self.filter(**{self.agency_field: user.agency_id})

    def visibility_key(self, user):
        """What ``_visible_to`` depends on besides the rows: the user's agency. Override with the rule."""
        return user.agency_id

    def visible_pk_sql(self, user) -> tuple[str, tuple] | None:
        """``(sql, params)`` selecting the primary keys of the model's rows ``visible_to(user)`` (as ``pk``; this
        queryset's own filters do not apply), or None when the user may read nothing: for raw queries that must apply
        the one access path (``EXISTS (... WHERE pk = ...)``).

        Compiling the queryset costs half a millisecond, as much as a whole single-value lookup's queries; the SQL
        depends only on ``visibility_key(user)``, so it is compiled once per key and database (tested against a fresh
        compile for users of every kind).
        """
        if not can_read(user):
            return None
        from django.core.exceptions import EmptyResultSet

        key = (self.db, self.model, self.visibility_key(user))
        cached = _visible_sql.get(key)
        if cached is None:
            every = self.model._default_manager.using(self.db)  # the model's rows, not this queryset's filters
            try:
                sql, params = every.visible_to(user).order_by().values("pk").query.sql_with_params()
            except EmptyResultSet:
                return None
            cached = _visible_sql[key] = (sql, tuple(params))
        return cached


class OwnedQuerySet(AgencyScopedQuerySet):
    """Owned rows: by default only the owner agency sees them."""


class OwnedModel(models.Model):
    """Base for agency-owned records: the owner agency alone edits them and decides who sees them."""

    owner_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner agency")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class JobRecord(models.Model):
    """Base for the row a long job keeps for the pages and the command line: its status, its report (progress,
    updated as it goes), the error that stopped it, and when it started and finished."""

    Status = JobStatus

    status = models.CharField(_("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    report = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
