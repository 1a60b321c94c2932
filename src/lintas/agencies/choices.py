from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AgencyKind"]


class AgencyKind(models.TextChoices):
    NATIONAL_POLICE = "national_police", _("National police")
    INTERNATIONAL = "international", _("International organisation")
    SECRETARIAT = "secretariat", _("Secretariat")
