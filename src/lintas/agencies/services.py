"""Writes to member agencies: an agency keeps its own contact details; the Secretariat runs the membership."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event

__all__ = ["MEMBER_FIELDS", "OWN_AGENCY_FIELDS", "editable_fields", "update_agency"]

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
