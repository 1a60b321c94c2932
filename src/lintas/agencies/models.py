"""Member agencies of the Lintas community."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lintas.agencies.choices import AgencyKind
from lintas.core.models import AgencyScopedQuerySet

__all__ = ["ESCALATION_MINUTES", "Agency", "DutyShift"]

# Bounds of "escalate unacknowledged urgent requests after N minutes" (decision 0048).
ESCALATION_MINUTES = (5, 240)


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
    escalate_after_minutes = models.PositiveSmallIntegerField(
        _("escalate unacknowledged urgent requests after (minutes)"),
        default=15,
        validators=[MinValueValidator(ESCALATION_MINUTES[0]), MaxValueValidator(ESCALATION_MINUTES[1])],
        help_text=_(
            "An urgent request nobody acknowledged goes to the next officer on duty after this time, "
            "to the supervisors after twice this time."
        ),
    )
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


class DutyShiftQuerySet(AgencyScopedQuerySet):
    """An agency's duty roster names its officers: only the agency itself reads it (decision 0048)."""

    agency_field = "agency"

    def current(self, now):
        return self.filter(starts_at__lte=now, ends_at__gt=now)


class DutyShift(models.Model):
    """One officer on the agency's 24/7 desk from ``starts_at`` to ``ends_at`` (UTC), at a place in the order:
    1 is told first of an urgent request, 2 next when nobody acknowledges it in time (decision 0048)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="duty_shifts")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_shifts", verbose_name=_("officer")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    position = models.PositiveSmallIntegerField(
        _("order on duty"), default=1, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "position", "pk"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        indexes = [models.Index(fields=["agency", "ends_at", "starts_at"], name="duty_shift_current")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="duty_shift_ends_after")
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M} UTC #{self.position}"
