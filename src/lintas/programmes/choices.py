"""Choices of the programmes app: edition status, session kinds, the parts people play in a session."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AttendanceSource",
    "EditionStatus",
    "MaterialKind",
    "NominationStatus",
    "ParticipationMode",
    "SessionKind",
    "SessionRoleKind",
]


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


class ParticipationMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    ONLINE = "online", _("Online")


class NominationStatus(models.TextChoices):
    """Nominated by the agency admin; then the organisers decide. Only confirmed nominations are participants."""

    NOMINATED = "nominated", _("Nominated")
    CONFIRMED = "confirmed", _("Confirmed")
    WAIT_LISTED = "wait_listed", _("Wait-listed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AttendanceSource(models.TextChoices):
    ORGANISER = "organiser", _("Recorded by the organisers")
    ONLINE_JOIN = "online_join", _("Joined online through Lintas")
    PLATFORM_EXPORT = "platform_export", _("Online platform's attendance export")


class MaterialKind(models.TextChoices):
    SLIDES = "slides", _("Slides")
    PAPER = "paper", _("Paper")
    RECORDING = "recording", _("Recording")
    OTHER = "other", _("Other")
