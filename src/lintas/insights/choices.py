"""What a monthly roll-up row counts (``MonthlyRollup.dimension``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Dimension"]


class Dimension(models.TextChoices):
    """``key`` and ``count`` mean, per dimension: see ``MonthlyRollup``."""

    CASES = "cases", _("Cases by crime type")
    COUNTRY = "country", _("Cases by country involved")
    MODUS = "modus", _("Cases by modus operandi tag")
    IDENTIFIER = "identifier", _("Cases by identifier kind")
    HIT = "hit", _("Hits across borders")
    REQUEST = "request", _("Requests by country pair")
