"""Monthly roll-ups behind the trends page: one row per month, dimension, key, crime type and agency.

The rows are counts, not cases: they are rebuilt from the cases, hits and requests by
``lintas.insights.services.refresh_rollups`` (a nightly job, an hourly one for recent months, ``lintas trends
--refresh``). The page combines the viewer's own agency's rows (``visible_to``) with community-wide sums that pass
the suppression rule of ``lintas.insights.suppression``.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lintas.core.models import AgencyScopedQuerySet, can_read
from lintas.insights.choices import Dimension

__all__ = ["MonthlyRollup"]


class MonthlyRollupQuerySet(AgencyScopedQuerySet):
    """A row is the viewer's own when it counts their agency's cases (``agency``), or hits and requests their agency
    is a side of (``agency`` or ``partner_agency``): all of it data ``Case``, ``Hit`` and ``AssistanceRequest``
    already show that agency. Community-wide figures are never read row by row, only as suppressed sums."""

    agency_field = "agency"

    def visible_to(self, user):
        if not can_read(user):
            return self.none()
        return self.filter(Q(agency_id=user.agency_id) | Q(partner_agency_id=user.agency_id))


class MonthlyRollup(models.Model):
    """Counts of one month for one key of one dimension, for one agency.

    - ``cases``: key empty; ``count`` cases of ``crime_type`` recorded by ``agency``, their victims and losses in USD.
    - ``country``: key a country the cases involve (a case involving two countries counts under each).
    - ``modus``: key a modus operandi tag (lower case); ``identifier``: key an identifier kind (``phone``,
      ``crypto_wallet:tron``, ``payment_alias:promptpay``, ``social_handle:telegram``): ``count`` cases with it.
    - ``hit``: key the two sides' countries (``KR|MY``, ``?`` for a side hiding its name); ``count`` hits between
      ``agency`` (left) and ``partner_agency`` (right) created that month.
    - ``request``: key ``sender>receiver`` countries; ``count`` requests ``agency`` sent ``partner_agency`` that
      month, ``answered`` of them answered, ``turnaround_hours`` one value per answered request (sent to answered),
      amounts frozen and returned in USD.

    A case's month is its first incident's, else the month it was recorded (UTC).
    """

    month = models.DateField(_("month"))
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=100, blank=True)
    crime_type = models.CharField(_("crime type"), max_length=32, blank=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False)
    partner_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", null=True, blank=True, db_index=False
    )
    count = models.PositiveIntegerField(default=0)
    victims = models.BigIntegerField(default=0)
    loss_usd = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    answered = models.PositiveIntegerField(default=0)
    turnaround_hours = models.JSONField(default=list, blank=True)
    frozen_usd = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    returned_usd = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    refreshed_at = models.DateTimeField()

    objects = MonthlyRollupQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["dimension", "month"], name="rollup_dimension_month")]
        verbose_name = _("monthly roll-up")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension} {self.key} {self.crime_type} {self.agency_id}: {self.count}"
