"""Who hears of a match, and how: in-app at once, by e-mail after commit. Texts carry hit/no-hit facts only."""

from __future__ import annotations

import logging
from collections import defaultdict
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy

from lintas.accounts.choices import Role
from lintas.accounts.models import User
from lintas.cases.models import Case, CaseIdentifier
from lintas.matching.engine import MatchResult, holders_of
from lintas.notifications.models import Notification, NotificationKind
from lintas.notifications.services import for_recipients, languages_of

__all__ = ["notify_allowance", "notify_details_requested", "notify_match"]

logger = logging.getLogger(__name__)

MEMBER_AGENCY = gettext_lazy("a member agency")  # a holder that hides its name (``holder_label``'s words)


def notify_match(outcome: MatchResult) -> list[Notification]:
    """One notification per recipient and case of theirs: "your case X has N new hits (held by ...)"."""
    notes: list[Notification] = []
    if outcome.hits:
        notes += _hit_notifications(outcome)
    if outcome.newly_hot:
        notes += _hot_notifications(outcome.newly_hot)
    if notes:
        notes = Notification.objects.bulk_create(notes)
        ids = [n.pk for n in notes]
        transaction.on_commit(lambda: _send_emails(ids))
    return notes


def _recipients(agency_ids) -> dict[int, set[int]]:
    """Liaison officers of each agency."""
    liaison = defaultdict(set)
    for user_id, agency_id in (
        User.objects.with_role(Role.LIAISON_OFFICER)
        .filter(agency_id__in=agency_ids, is_active=True)
        .values_list("id", "agency_id")
    ):
        liaison[agency_id].add(user_id)
    return liaison


def _hit_notifications(outcome: MatchResult) -> list[Notification]:
    case_ids = {c for h in outcome.hits for c in (h.left_case_id, h.right_case_id)}
    # Only what the texts need, as rows (as lookups read holders): bulk ingest notifies of every batch's hits, and
    # whole cases (narratives and all) cost more than the rest of the notifying together.
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in=case_ids).values_list(
            "pk", "reference", "owner_agency_id", "created_by_id", "hide_owner_in_hits", "owner_agency__short_name",
            named=True,
        )
    }  # fmt: skip
    liaison = _recipients({c.owner_agency_id for c in cases.values()})
    # per (recipient, my case): the cases on the other sides
    others: dict[tuple[int, int], set[int]] = defaultdict(set)
    for hit in outcome.hits:
        for mine, theirs in ((hit.left_case_id, hit.right_case_id), (hit.right_case_id, hit.left_case_id)):
            case = cases[mine]
            users = set(liaison[case.owner_agency_id])
            if case.created_by_id:
                users.add(case.created_by_id)
            for user_id in users:
                others[(user_id, mine)].add(theirs)
    url = reverse("matching:hit_list")
    languages = languages_of(user_id for user_id, _case in others)  # once for all: bulk ingest notifies per batch
    # Each holder as its name or, where the case hides its owner, a label each reader reads in their own language.
    names = {pk: c.owner_agency__short_name if not c.hide_owner_in_hits else MEMBER_AGENCY for pk, c in cases.items()}
    text = gettext_lazy("New hit: an identifier of your case %(reference)s is also held by %(holders)s.")
    notes = []
    for (user_id, case_id), other_ids in others.items():
        holders = sorted({names[other] for other in other_ids}, key=str)
        params = {"reference": cases[case_id].reference, "holders": holders}
        notes += for_recipients(
            [user_id], text, params, languages=languages, kind=NotificationKind.HIT, url=f"{url}?case={case_id}"
        )
    return notes


def _hot_notifications(tokens: set[str]) -> list[Notification]:
    holders = holders_of(tokens)
    ids = sorted({ident_id for rows in holders.values() for ident_id, _case, _agency in rows})
    rows = CaseIdentifier.objects.filter(pk__in=ids).values_list("owner_agency_id", "display", "type")
    per_agency: dict[int, set[str]] = defaultdict(set)
    for agency_id, display, kind in rows:
        per_agency[agency_id].add(display or kind)
    liaison = _recipients(set(per_agency))
    text = gettext_lazy("Hot value: %(value)s is in so many cases that pairs are no longer reported one by one.")
    return [
        note
        for agency_id, values in per_agency.items()
        for note in for_recipients(
            liaison[agency_id], text, {"value": ", ".join(sorted(values))[:300]}, kind=NotificationKind.HOT_VALUE
        )
    ]


def notify_details_requested(request) -> list[Notification]:
    """The holding agency's liaison officers hear who asks about which of their case, each in their own language. The
    asker is named as the hit names it to the holder: an asker whose own case hides its name in hits (and is not
    shared with the holder) is "a member agency" here too, as on the hit page."""
    from lintas.cases.choices import Distribution

    hit = request.hit
    asking_left = hit.left_agency_id == request.requesting_agency_id
    holder_case_id, asker_case_id = (
        (hit.right_case_id, hit.left_case_id) if asking_left else (hit.left_case_id, hit.right_case_id)
    )
    case = Case.objects.select_related("owner_agency").get(pk=holder_case_id)
    asker_case = Case.objects.get(pk=asker_case_id)
    shown_to_holder = asker_case.distribution == Distribution.ALL or (
        asker_case.distribution == Distribution.NAMED
        and asker_case.shares.filter(agency_id=case.owner_agency_id).exists()
    )
    if asker_case.hide_owner_in_hits and not shown_to_holder:
        text = gettext_lazy(
            "A member agency asks for the details of your case %(reference)s (a hit on a shared identifier)."
        )
        params = {"reference": case.reference}
    else:
        text = gettext_lazy(
            "%(agency)s asks for the details of your case %(reference)s (a hit on a shared identifier)."
        )
        params = {"agency": request.requesting_agency.short_name, "reference": case.reference}
    liaison = _recipients({case.owner_agency_id})
    notes = Notification.objects.bulk_create(
        for_recipients(
            liaison[case.owner_agency_id],
            text,
            params,
            kind=NotificationKind.DETAILS_REQUESTED,
            url=reverse("matching:hit_detail", args=[hit.pk]),
        )
    )
    ids = [n.pk for n in notes]
    transaction.on_commit(lambda: _send_emails(ids))
    return notes


_ALLOWANCE_TEXTS = {
    # (the agency's allowance, used up): what the agency's admins read
    (False, False): gettext_lazy(
        "%(user)s has used %(used)s of the %(limit)s %(what)s allowed to one user this hour (%(percent)s%%)."
    ),
    (False, True): gettext_lazy(
        "%(user)s has used up the %(limit)s %(what)s allowed to one user this hour: more are refused until the hour "
        "ends."
    ),
    (True, False): gettext_lazy(
        "Your agency has used %(used)s of the %(limit)s %(what)s allowed to it this hour (%(percent)s%%); the last "
        "to add to it was %(user)s."
    ),
    (True, True): gettext_lazy(
        "Your agency has used up the %(limit)s %(what)s allowed to it this hour: more are refused for all its users "
        "until the hour ends; the last to add to it was %(user)s."
    ),
}


def notify_allowance(user, kind: str, *, agency: bool, used_up: bool, used: int, limit: int) -> list[Notification]:
    """Tell the admins of ``user``'s agency that the user (or, with ``agency``, the whole agency) has nearly or wholly
    used an hourly allowance (``lintas.matching.allowance`` sends each once an hour), and audit it."""
    from lintas.audit.choices import Action
    from lintas.audit.services import record_event
    from lintas.matching.choices import AllowanceKind

    admins = (
        User.objects.with_role(Role.AGENCY_ADMIN)
        .filter(agency_id=user.agency_id, is_active=True)
        .values_list("pk", flat=True)
    )
    params = {
        "user": user.username,
        "used": used,
        "limit": limit,
        "percent": used * 100 // limit if limit else 100,
        "what": AllowanceKind(kind).label,
    }
    notes = Notification.objects.bulk_create(
        for_recipients(
            admins,
            _ALLOWANCE_TEXTS[(agency, used_up)],
            params,
            kind=NotificationKind.ALLOWANCE,
            url=f"{reverse('audit:event_list')}?{urlencode({'actor': user.username})}",
        )
    )
    record_event(
        Action.ALLOWANCE_USED_UP if used_up else Action.ALLOWANCE_NEAR,
        actor=user,
        agency=user.agency,
        object_type="matching.allowance",
        object_id=f"{kind}.{'agency' if agency else 'user'}",
        details={"allowance": kind, "whose": "agency" if agency else "user", "used": used, "limit": limit},
    )
    ids = [n.pk for n in notes]
    if ids:
        transaction.on_commit(lambda: _send_emails(ids))
    return notes


def _send_emails(notification_ids: list[int]) -> None:
    """Queue the e-mail copies. Runs after commit: a queue outage is logged, never turned into an error page."""
    from lintas.notifications.tasks import email_notifications

    try:
        email_notifications(notification_ids)
    except Exception:
        logger.exception("could not queue e-mail for notifications %s", notification_ids[:20])
