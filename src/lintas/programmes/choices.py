"""Choices of the programmes app: edition status, session kinds, the parts people play in a session."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["EditionStatus", "SessionKind", "SessionRoleKind"]


class EditionStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    OPEN_FOR_NOMINATIONS = "open_for_nominations", _("Open for nominations")
    CONFIRMED = "confirmed", _("Confirmed")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")


class SessionKind(models.TextChoices):
    OPENING = "opening", _("Opening")
    LECTURE = "lecture", _("Lecture")
    PANEL = "panel", _("Panel")
    WORKSHOP = "workshop", _("Workshop")
    CASE_STUDY = "case_study", _("Case study")
    SITE_VISIT = "site_visit", _("Site visit")
    CLOSING = "closing", _("Closing")


class SessionRoleKind(models.TextChoices):
    MODERATOR = "moderator", _("Moderator")
    SPEAKER = "speaker", _("Speaker")
    PANELLIST = "panellist", _("Panellist")
