"""Request types, priorities, legal bases and the workflow states of mutual assistance (DOMAIN.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["LegalBasis", "Priority", "RequestStatus", "RequestType"]


class RequestType(models.TextChoices):
    STOP_PAYMENT = "stop_payment", _("Urgent stop-payment (freeze)")
    ACCOUNT_RECORDS = "account_records", _("Account holder and transaction records")
    SUBSCRIBER_INFO = "subscriber_info", _("Subscriber information")
    PRESERVATION = "preservation", _("Preservation of electronic evidence")
    TAKEDOWN = "takedown", _("Takedown or blocking of a site or account")
    LOCATE_PERSON = "locate_person", _("Locate or identify a person")
    STATEMENT = "statement", _("Victim or witness statement")
    RETURN_FUNDS = "return_funds", _("Return of frozen funds")
    GENERAL = "general", _("General inquiry")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent (hours)")
    HIGH = "high", _("High (days)")
    ROUTINE = "routine", _("Routine (weeks)")


class LegalBasis(models.TextChoices):
    POLICE_TO_POLICE = "police_to_police", _("Police-to-police cooperation")
    INTERPOL = "interpol", _("INTERPOL channel")
    ASEAN_MLAT = "asean_mlat", _("ASEAN Treaty on Mutual Legal Assistance (2004)")
    BILATERAL_MLAT = "bilateral_mlat", _("Bilateral MLAT")
    DOMESTIC_LAW = "domestic_law", _("Domestic law")
    OTHER = "other", _("Other")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED_PARTLY = "answered_partly", _("Answered in part")
    ANSWERED_FULLY = "answered_fully", _("Answered in full")
    DECLINED = "declined", _("Declined")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = frozenset(
    {
        RequestStatus.DRAFT,
        RequestStatus.AWAITING_APPROVAL,
        RequestStatus.SENT,
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.ANSWERED_PARTLY,
    }
)
