"""Reads about member agencies that other apps use: who is on the agency's 24/7 desk now, where its 24/7 contact
point takes e-mail."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404

from lintas.agencies.models import Agency, DutyShift

__all__ = ["contact_email", "on_duty", "own_agency_or_404"]

_EMAIL_LIKE = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def on_duty(agency: Agency | int, now) -> list:
    """The active officers on ``agency``'s duty roster at ``now``, first in order first (each once).

    Not access-checked: callers (the escalation job, the alert banner) decide who may learn the names.
    """
    agency_id = agency if isinstance(agency, int) else agency.pk
    shifts = (
        DutyShift.objects.filter(agency_id=agency_id, officer__is_active=True, officer__agency_id=agency_id)
        .current(now)
        .select_related("officer")
        .order_by("position", "starts_at", "pk")
    )
    officers, seen = [], set()
    for shift in shifts:
        if shift.officer_id not in seen:
            seen.add(shift.officer_id)
            officer = shift.officer
            officer.duty_position = shift.position
            officers.append(officer)
    return officers


def contact_email(agency: Agency) -> str:
    """The first valid e-mail address written in the agency's 24/7 contact point, or "" (decision 0048)."""
    for candidate in _EMAIL_LIKE.findall(agency.contact_24_7 or ""):
        candidate = candidate.strip(".")
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        return candidate
    return ""


def own_agency_or_404(user, code: str) -> Agency:
    """The agency ``code`` names when it is ``user``'s own; else 404, the same for another agency's code as for an
    unknown one, after the same one query, the refusal recorded in the other agency's trail (or the platform's).
    The duty roster names the agency's officers: only the agency itself reads it (decision 0048)."""
    code = code[:64]
    agency = Agency.objects.filter(code=code).first() if "\x00" not in code else None  # NUL: no such code
    if agency is not None and user.is_authenticated and agency.pk == user.agency_id:
        return agency
    from lintas.audit.services import record_refused_read

    record_refused_read(
        user,
        "not visible to this user" if agency is not None else "no such object",
        object_type="agencies.dutyshift",
        object_id=code.replace("\x00", ""),
        agency_id=agency.pk if agency is not None else None,
    )
    raise Http404
