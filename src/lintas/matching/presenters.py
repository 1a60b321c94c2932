"""What a user is shown of a hit: everything of a case they may see, hit/no-hit of one they may not.

This is the only place that turns a hit into something a person or an API client receives; views, API, lookup and
notifications all go through it, so no field of a hidden case can leave the server by another path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from lintas.cases.models import Case, CaseIdentifier
from lintas.matching.models import Hit

__all__ = ["HitView", "OtherSide", "holder_label", "holder_name", "present_hits"]


@dataclass(frozen=True)
class OtherSide:
    """The other agency's side of a hit. ``visible`` False: only ``holder`` and ``recorded_month`` are set."""

    visible: bool
    holder: str
    recorded_month: str
    case_id: int | None = None
    reference: str = ""
    title: str = ""
    role: str = ""
    identifier: str = ""


@dataclass(frozen=True)
class HitView:
    id: int
    created_at: object
    my_case_id: int
    my_reference: str
    my_identifier: str
    my_identifier_type: str
    other: OtherSide
    weak: bool = False  # same handle, platform not stated (decision 0049)


def holder_name(case: Case) -> str:
    hidden = case.hide_owner_in_hits  # a hidden holder's agency is not even read
    return holder_label("" if hidden else case.owner_agency.short_name, hidden)


def holder_label(agency: str, hidden: bool) -> str:
    """Who holds a case the user may not see: its agency's short name, or only "a member agency" if it hides it."""
    return _("a member agency") if hidden else agency


def present_hits(hits: Iterable[Hit], user) -> list[HitView]:
    """Views of ``hits`` (already filtered with ``Hit.objects.visible_to(user)``) for ``user``."""
    hits = list(hits)
    ident_ids = {i for h in hits for i in (h.left_id, h.right_id)}
    idents = {i.pk: i for i in CaseIdentifier.objects.filter(pk__in=ident_ids).select_related("case__owner_agency")}
    case_ids = {h.left_case_id for h in hits} | {h.right_case_id for h in hits}
    visible = set(Case.objects.visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True))
    views = []
    for hit in hits:
        mine_left = hit.left_agency_id == user.agency_id
        mine, theirs = (
            (idents[hit.left_id], idents[hit.right_id]) if mine_left else (idents[hit.right_id], idents[hit.left_id])
        )
        other_case = theirs.case
        month = theirs.created_at.strftime("%Y-%m")
        if other_case.pk in visible:
            other = OtherSide(
                True,
                other_case.owner_agency.short_name,
                month,
                other_case.pk,
                other_case.reference,
                other_case.title,
                theirs.get_role_display(),
                str(theirs),
            )
        else:
            other = OtherSide(False, holder_name(other_case), month)
        views.append(
            HitView(hit.pk, hit.created_at, mine.case_id, mine.case.reference, str(mine), mine.type, other, hit.weak)
        )
    return views
