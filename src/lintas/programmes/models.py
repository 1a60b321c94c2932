"""Capacity-building programmes (the annual Korea-ASEAN programme): editions, sessions, experts and checklists.

A programme is coordinated by one agency (the Secretariat); each edition is hosted by a member agency. Editions are
community events: every signed-in member reads those past ``planning``; organisers (the ``programme_organiser`` role
in the host agency or the coordinating agency) also read and write the ones being planned. ``Edition.objects
.visible_to(user)`` is the one access path (decision 0038).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lintas.accounts.choices import Role
from lintas.core.models import AgencyScopedQuerySet, can_read
from lintas.programmes.choices import EditionStatus, SessionKind, SessionRoleKind

__all__ = ["ChecklistTask", "Edition", "Expert", "Programme", "ProgrammeSession", "SessionRole", "is_organiser"]


def is_organiser(user) -> bool:
    """Does ``user`` hold the organiser role at all (which editions it covers is ``Edition.organised_by``)?"""
    return can_read(user) and user.has_role(Role.PROGRAMME_ORGANISER)


class Programme(models.Model):
    """A recurring capacity-building programme, coordinated by one agency (the Secretariat)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    coordinating_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("coordinating agency")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class EditionQuerySet(AgencyScopedQuerySet):
    """Editions a user may read: every member those past planning; organisers of the host or the coordinating agency
    also those in planning."""

    agency_field = "host_agency"

    def _visible_to(self, user):
        shown = ~Q(status=EditionStatus.PLANNING)
        if user.has_role(Role.PROGRAMME_ORGANISER):
            shown |= Q(host_agency=user.agency_id) | Q(programme__coordinating_agency=user.agency_id)
        return self.filter(shown)

    def visibility_key(self, user):
        return (user.agency_id, user.has_role(Role.PROGRAMME_ORGANISER))


class Edition(models.Model):
    """One yearly edition of a programme: where, when, about what, and how far its organisers have got."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    aims = models.TextField(_("aims"), blank=True)
    host_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("host agency")
    )
    co_organisers = models.ManyToManyField(
        "agencies.Agency", blank=True, related_name="+", verbose_name=_("co-organising agencies")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    online_link = models.URLField(_("online platform link"), max_length=500, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=32, choices=EditionStatus.choices, default=EditionStatus.PLANNING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="edition_number_unique")]

    def __str__(self):
        return self.title

    def organised_by(self, user) -> bool:
        """May ``user`` change this edition: an organiser of its host or of its programme's coordinating agency."""
        return is_organiser(user) and user.agency_id in (self.host_agency_id, self.programme.coordinating_agency_id)


class Expert(models.Model):
    """A reusable directory entry for a speaker, panellist or moderator, with or without a Lintas account."""

    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    biography = models.TextField(_("short biography"), blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProgrammeSession(models.Model):
    """One item of an edition's agenda: an aware start and end (stored in UTC), in a room or online."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices)
    topic = models.CharField(_("topic"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    language = models.CharField(_("language"), max_length=16, blank=True)
    interpretation = models.CharField(_("interpretation"), max_length=200, blank=True)
    experts = models.ManyToManyField(Expert, through="SessionRole", related_name="sessions")

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return self.topic


class SessionRole(models.Model):
    """The part an expert plays in one session."""

    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="roles")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="roles")
    role = models.CharField(_("role"), max_length=16, choices=SessionRoleKind.choices)

    class Meta:
        ordering = ["role", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "expert"], name="session_expert_unique")]

    def __str__(self):
        return f"{self.expert} — {self.get_role_display()}"


class ChecklistTask(models.Model):
    """A coordination task between the host and the Secretariat, so the annual cycle is planned in Lintas."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="checklist")
    title = models.CharField(_("title"), max_length=300)
    owner_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner agency")
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["done", "due_on", "pk"]

    def __str__(self):
        return self.title
