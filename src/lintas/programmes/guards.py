"""The checks every programmes page and API operation starts with: the edition (404 for what one may not see), then
whether the viewer is one of its organisers or may read its report.

Pages record a refusal here (``audit=True``); the API passes ``audit=False`` because its ``PermissionDenied``
handler (``lintas.api``) records it, so a refusal is in the trail once either way. A check with ``hidden=True``
answers 404 instead of 403, for what exists for the organisers only (the survey's settings and results).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from lintas.audit.services import record_denial
from lintas.core.access import get_visible_or_404
from lintas.programmes.models import Edition
from lintas.programmes.report import may_read_report

__all__ = ["ORGANISERS_ONLY", "edition_or_404", "require_organiser", "require_report_reader"]

ORGANISERS_ONLY = _("Only the programme's organisers may do this.")


def edition_or_404(user, edition_id) -> Edition:
    """The edition ``user`` may see, with its programme and host; 404 for hidden, missing and malformed ids alike."""
    return get_visible_or_404(Edition.objects.select_related("programme", "host_agency"), user, pk=edition_id)


def require_organiser(user, edition: Edition, *, hidden: bool = False, audit: bool = True) -> None:
    """Refuse anyone but ``edition``'s organisers: 403 (404 with ``hidden``). Call it before looking anything up
    inside the edition, so that others learn nothing of which sessions, nominations or certificates exist."""
    if edition.organised_by(user):
        return
    if audit:
        record_denial(user, "not an organiser of this edition", target=edition)
    if hidden:
        raise Http404
    raise PermissionDenied(ORGANISERS_ONLY)


def require_report_reader(user, edition: Edition, *, audit: bool = True) -> None:
    """Refuse anyone who may not read ``edition``'s report (decision 0042) with 403."""
    if may_read_report(user, edition):
        return
    if audit:
        record_denial(user, "not an organiser, host or coordinator of this edition", target=edition)
    raise PermissionDenied(_("The report is for the edition's organisers, its host and its coordinating agency."))
