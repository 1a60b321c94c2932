"""Hits between agencies, benign values, hot values and requests for details."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lintas.core.models import JobRecord, can_read
from lintas.matching.choices import BenignCategory
from lintas.matching.tokens import is_weak

__all__ = ["AllowanceCount", "BenignValue", "DetailRequest", "Hit", "HotValue", "RematchRun"]


class HitQuerySet(models.QuerySet):
    trail_agency_field = "left_agency"  # whose trail records a refused access (get_visible_or_404): the first holder

    def visible_to(self, user):
        """A hit is visible to the two agencies it joins; what each sees of the other side is decided per case."""
        if not can_read(user):
            return self.none()
        return self.filter(Q(left_agency_id=user.agency_id) | Q(right_agency_id=user.agency_id))


class Hit(models.Model):
    """The same identifier in cases of two different agencies. One row per pair of case identifiers.

    ``left`` always has the smaller id, so a pair is stored once whichever side was recorded last.
    """

    token = models.CharField(max_length=32)
    # left, left_agency and right_agency lead the unique pair and the agency indexes: no index of their own.
    left = models.ForeignKey("cases.CaseIdentifier", on_delete=models.CASCADE, related_name="+", db_index=False)
    right = models.ForeignKey("cases.CaseIdentifier", on_delete=models.CASCADE, related_name="+")
    left_case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    right_case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    left_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+", db_index=False)
    right_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = HitQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="hit_pair_unique"),
            models.CheckConstraint(condition=Q(left__lt=models.F("right")), name="hit_pair_ordered"),
        ]
        indexes = [
            models.Index(fields=["left_agency", "-created_at"], name="hit_left_agency"),
            models.Index(fields=["right_agency", "-created_at"], name="hit_right_agency"),
        ]

    def __str__(self) -> str:
        return f"hit {self.left_id}~{self.right_id}"

    def side_of(self, agency_id: int) -> str:
        return "left" if self.left_agency_id == agency_id else "right"

    @property
    def weak(self) -> bool:
        """Linked by a handle on no stated platform (same handle, platform not stated; decision 0049)."""
        return is_weak(self.token)


class BenignValue(models.Model):
    """A value that is not evidence (a bank's hotline, a webmail domain, an exchange's hot wallet): never a hit."""

    token = models.CharField(max_length=32, unique=True)
    type = models.CharField(_("type"), max_length=32)
    value = models.CharField(_("value"), max_length=512)
    category = models.CharField(_("category"), max_length=32, choices=BenignCategory.choices)
    reason = models.CharField(_("reason"), max_length=300)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["type", "value"]

    def __str__(self) -> str:
        return f"{self.type}:{self.value}"


class HotValue(models.Model):
    """A value linked to more cases than the cap: one notice instead of a hit for every pair."""

    token = models.CharField(max_length=32, unique=True)
    case_count = models.PositiveIntegerField(default=0)
    became_hot_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"hot {self.token[:8]} ({self.case_count})"


class DetailRequest(models.Model):
    """An agency's wish to learn more about the other side of a hit (the mutual-assistance request builds on it)."""

    hit = models.ForeignKey(Hit, on_delete=models.CASCADE, related_name="detail_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requesting_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hit", "requesting_agency"], name="detail_request_once")]

    def __str__(self) -> str:
        return f"details of hit {self.hit_id} for {self.requesting_agency_id}"


class RematchRun(JobRecord):
    """One run of the re-match sweep (``lintas.matching.sweep``): queued after a benign-list change, nightly, or by
    ``lintas rematch --all``. ``tokens`` limits it to those keys (empty: every stored identifier); ``report`` is its
    progress, updated after every batch, where the command line and the admin read it."""

    reason = models.CharField(_("reason"), max_length=200)
    tokens = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("re-match run")

    def __str__(self) -> str:
        return f"rematch {self.pk} ({self.status})"


class AllowanceCount(models.Model):
    """How much of one hourly allowance one user or agency has used in one hour (``lintas.matching.allowance``): the
    count every process and node shares when there is no Redis. ``scope`` says which allowance and whose (e.g.
    ``lookup.user``), ``key`` the user's or agency's id, ``hour`` the hour counted (Unix time // 3600).
    ``alerted`` is the highest alert the agency admins got for it (0 none, 1 near, 2 used up), so each is sent once
    an hour. Rows of past hours are deleted by a periodic job."""

    scope = models.CharField(max_length=16)
    key = models.BigIntegerField()
    hour = models.IntegerField()
    used = models.BigIntegerField(default=0)
    alerted = models.SmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key", "hour"], name="allowance_count_unique")]
        indexes = [models.Index(fields=["hour"], name="allowance_count_hour")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} @{self.hour}: {self.used}"
