"""Member agencies of the Lintas community."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lintas.agencies.choices import AgencyKind

__all__ = ["Agency"]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known IANA time zone."), params={"value": value})


class AgencyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Agency(models.Model):
    """A member of the community: a national police force, an international organisation or the Secretariat.

    The member directory is visible to every signed-in user of every member; it holds no case data.
    """

    code = models.SlugField(_("code"), max_length=16, unique=True, help_text=_("Stable machine name, e.g. knpa."))
    short_name = models.CharField(_("short name"), max_length=32, unique=True)
    name = models.CharField(_("full name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=AgencyKind.choices)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 alpha-2; empty for international bodies.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    languages = models.JSONField(_("languages"), default=list, help_text=_("BCP 47 language codes."))
    contact_24_7 = models.TextField(_("24/7 contact point"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"), name="agency_country_iso2"
            )
        ]

    def __str__(self) -> str:
        return self.short_name

    @property
    def is_secretariat(self) -> bool:
        return self.kind == AgencyKind.SECRETARIAT
