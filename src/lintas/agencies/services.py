"""Writes to member agencies: an agency keeps its own contact details; the Secretariat runs the membership."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lintas.accounts.choices import Role
from lintas.agencies.models import ESCALATION_MINUTES, Agency, DutyShift
from lintas.audit.choices import Action
from lintas.audit.services import record_event

__all__ = [
    "MEMBER_FIELDS",
    "OWN_AGENCY_FIELDS",
    "add_shift",
    "can_keep_roster",
    "can_set_escalation",
    "editable_fields",
    "remove_shift",
    "set_escalation_minutes",
    "update_agency",
]

# What an agency admin may change about their own agency, and what only the platform admin may change.
OWN_AGENCY_FIELDS = ("contact_24_7", "languages", "time_zone")
MEMBER_FIELDS = ("name", "short_name", "is_active", *OWN_AGENCY_FIELDS)


def editable_fields(actor, agency: Agency) -> tuple[str, ...]:
    if not actor.is_authenticated or not actor.is_active:
        return ()
    if actor.has_role(Role.PLATFORM_ADMIN):
        return MEMBER_FIELDS
    if actor.has_role(Role.AGENCY_ADMIN) and actor.agency_id == agency.pk:
        return OWN_AGENCY_FIELDS
    return ()


@transaction.atomic
def update_agency(actor, agency: Agency, **changes) -> Agency:
    """Change an agency's directory entry. Fields beyond the actor's rights are refused, not silently dropped."""
    allowed = editable_fields(actor, agency)
    refused = set(changes) - set(allowed)
    if not allowed or refused:
        raise PermissionDenied(_("You may not change these details of this agency."))
    if "languages" in changes:
        codes = changes["languages"]
        if (
            not isinstance(codes, list)
            or not codes
            or any(not isinstance(c, str) or not 2 <= len(c) <= 8 or not c.replace("-", "").isalpha() for c in codes)
        ):
            from django.core.exceptions import ValidationError

            raise ValidationError({"languages": [_("Give one or more language codes, such as ko or ms, en.")]})
        changes["languages"] = [c.lower() for c in codes]
    before = {name: getattr(agency, name) for name in changes}
    for name, value in changes.items():
        setattr(agency, name, value)
    agency.full_clean()
    changed = [name for name in changes if before[name] != getattr(agency, name)]
    if changed:
        agency.save(update_fields=changed)
        record_event(
            Action.AGENCY_UPDATED,
            actor=actor,
            target=agency,
            agency=agency,
            details={name: {"from": before[name], "to": getattr(agency, name)} for name in changed},
        )
    return agency


# --- duty roster (decision 0048) -----------------------------------------------------------------------------------

MAX_SHIFT = timedelta(days=7)
EARLIEST_START = timedelta(days=1)  # a shift may be entered when it has just begun, not long after
LATEST_START = timedelta(days=366)


def can_keep_roster(actor, agency: Agency) -> bool:
    """The agency's own admins and supervisors keep its duty roster."""
    return bool(
        actor.is_authenticated
        and actor.is_active
        and actor.agency_id == agency.pk
        and actor.has_role(Role.AGENCY_ADMIN, Role.SUPERVISOR)
    )


def can_set_escalation(actor, agency: Agency) -> bool:
    """The agency's own admins set when its unacknowledged urgent requests escalate."""
    return bool(
        actor.is_authenticated
        and actor.is_active
        and actor.agency_id == agency.pk
        and actor.has_role(Role.AGENCY_ADMIN)
    )


@transaction.atomic
def add_shift(actor, agency: Agency, *, officer_id, starts_at, ends_at, position: int = 1, now=None) -> DutyShift:
    """Put an active officer of ``agency`` on its duty roster. Times are aware; stored in UTC.

    Refused (``ValidationError`` by field, nothing written): an officer not of this agency or disabled, an end not
    after the start, a shift longer than seven days, a start more than a day ago or more than a year ahead, a shift
    overlapping the same officer's other shift, an order outside 1-9.
    """
    from lintas.accounts.models import User

    if not can_keep_roster(actor, agency):
        raise PermissionDenied(_("Only this agency's admins and supervisors keep its duty roster."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    officer = User.objects.filter(pk=officer_id, agency_id=agency.pk, is_active=True).first()
    if officer is None:
        errors["officer"] = [_("Choose an active officer of your agency.")]
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError({"starts_at": [_("Give the time with its time zone.")]})
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= 9:
        errors["position"] = [_("Give a place in the order from 1 to 9.")]
    if starts_at < now - EARLIEST_START:
        errors["starts_at"] = [_("A shift starts at most one day ago.")]
    elif starts_at > now + LATEST_START:
        errors["starts_at"] = [_("A shift starts within a year.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The shift ends after it starts.")]
    elif ends_at - starts_at > MAX_SHIFT:
        errors["ends_at"] = [_("A shift lasts at most seven days.")]
    if officer is not None and "ends_at" not in errors and "starts_at" not in errors:
        clash = (
            DutyShift.objects.select_for_update()
            .filter(agency=agency, officer=officer, starts_at__lt=ends_at, ends_at__gt=starts_at)
            .first()
        )
        if clash is not None:
            errors["officer"] = [_("This officer already has a shift at that time.")]
    if errors:
        raise ValidationError(errors)
    shift = DutyShift.objects.create(
        agency=agency, officer=officer, starts_at=starts_at, ends_at=ends_at, position=position, created_by=actor
    )
    record_event(
        Action.DUTY_SHIFT_ADDED,
        actor=actor,
        target=shift,
        agency=agency,
        details={
            "officer": officer.pk,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "position": position,
        },
    )
    return shift


@transaction.atomic
def remove_shift(actor, shift: DutyShift) -> None:
    """Take a shift off the roster (audited with what it was)."""
    if not can_keep_roster(actor, shift.agency):
        raise PermissionDenied(_("Only this agency's admins and supervisors keep its duty roster."))
    details = {
        "officer": shift.officer_id,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "position": shift.position,
    }
    record_event(Action.DUTY_SHIFT_REMOVED, actor=actor, target=shift, agency=shift.agency, details=details)
    shift.delete()


@transaction.atomic
def set_escalation_minutes(actor, agency: Agency, minutes) -> Agency:
    """Set after how many minutes an unacknowledged urgent request to ``agency`` escalates (5-240)."""
    if not can_set_escalation(actor, agency):
        raise PermissionDenied(_("Only this agency's admins set when its urgent requests escalate."))
    low, high = ESCALATION_MINUTES
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not low <= minutes <= high:
        raise ValidationError(
            {
                "escalate_after_minutes": [
                    _("Give a number of minutes from %(low)d to %(high)d.") % {"low": low, "high": high}
                ]
            }
        )
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    before = agency.escalate_after_minutes
    if before != minutes:
        agency.escalate_after_minutes = minutes
        agency.save(update_fields=["escalate_after_minutes"])
        record_event(
            Action.AGENCY_UPDATED,
            actor=actor,
            target=agency,
            agency=agency,
            details={"escalate_after_minutes": {"from": before, "to": minutes}},
        )
    return agency
