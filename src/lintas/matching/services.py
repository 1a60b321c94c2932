"""Lookups, benign values and requests for details.

A lookup answers, for each value, what the user may see (matching cases they can read), what they may not (hit/no-hit:
who holds it, since when) and whether the value is benign or hot. Every lookup is audited with the tokens looked up,
never the raw values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lintas import identifiers
from lintas.accounts.choices import Role
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.choices import IdentifierRole
from lintas.cases.models import Case, CaseIdentifier
from lintas.matching.choices import BenignCategory
from lintas.matching.engine import benign_tokens, holders_of
from lintas.matching.models import BenignValue, DetailRequest, Hit, HotValue
from lintas.matching.presenters import holder_name
from lintas.matching.tokens import community_key, tokens_for

__all__ = ["MAX_LOOKUP_VALUES", "LookupAnswer", "add_benign", "lookup", "remove_benign", "request_details"]

MAX_LOOKUP_VALUES = 1000


@dataclass
class LookupMatch:
    visible: bool
    holder: str
    recorded_month: str
    case_id: int | None = None
    reference: str = ""
    title: str = ""
    role: str = ""


@dataclass
class LookupAnswer:
    input: str
    type: str
    value: str
    valid: bool
    errors: list[str]
    benign: bool = False
    hot: bool = False
    matches: list[LookupMatch] = field(default_factory=list)

    @property
    def hidden_holders(self) -> list[LookupMatch]:
        return [m for m in self.matches if not m.visible]


def lookup(user, *, values: list[str] | None = None, text: str = "") -> list[LookupAnswer]:
    """Answer up to 1,000 values (or every identifier found in ``text``), each with matches, benign and hot status."""
    country = user.agency.country or None
    results: list[identifiers.Result] = []
    if text:
        results.extend(identifiers.extract(text, country))
    for value in values or []:
        if value.strip():
            result = identifiers.normalize(value.strip(), None, country)
            results.append(result.replace(input=value.strip()))
    if len(results) > MAX_LOOKUP_VALUES:
        raise ValidationError(_("At most %(n)d values per lookup.") % {"n": MAX_LOOKUP_VALUES})
    key = community_key()
    keyed = [(result, tokens_for(key, result) if result.valid else ("", "")) for result in results]
    all_tokens = {t for _, pair in keyed for t in pair if t}
    benign = benign_tokens(all_tokens)
    hot = set(HotValue.objects.filter(token__in=list(all_tokens)).values_list("token", flat=True))
    holders = holders_of(all_tokens - benign)
    ident_ids = {ident for rows in holders.values() for ident, _, _ in rows}
    idents = {
        i.pk: i
        for i in CaseIdentifier.objects.filter(pk__in=ident_ids)
        .select_related("case__owner_agency")
        .only(
            "id",
            "role",
            "created_at",
            "case__id",
            "case__reference",
            "case__title",
            "case__hide_owner_in_hits",
            "case__owner_agency__short_name",
            "case__owner_agency_id",
        )
    }
    case_ids = {i.case_id for i in idents.values()}
    visible = set(Case.objects.visible_to(user).filter(pk__in=case_ids).values_list("pk", flat=True))
    # get_role_display() hashes every (lazy, translated) choice on each call: with a hot value's hundreds of matches
    # it took most of a lookup's time. One translated table per lookup gives the same labels.
    role_labels = {value: str(label) for value, label in IdentifierRole.choices}
    answers = []
    for result, (own, linked) in keyed:
        answer = LookupAnswer(
            result.input or result.display, str(result.type), result.value, result.valid, list(result.errors)
        )
        tokens = {t for t in (own, linked) if t}
        answer.benign = bool(tokens & benign)
        answer.hot = bool(tokens & hot)
        seen_cases: set[int] = set()
        for token in tokens - benign:
            for ident_id, case_id, _agency in holders.get(token, []):
                if case_id in seen_cases:
                    continue
                seen_cases.add(case_id)
                ident = idents[ident_id]
                month = ident.created_at.strftime("%Y-%m")
                if case_id in visible:
                    answer.matches.append(
                        LookupMatch(
                            True,
                            ident.case.owner_agency.short_name,
                            month,
                            case_id,
                            ident.case.reference,
                            ident.case.title,
                            role_labels.get(ident.role, ident.role),
                        )
                    )
                else:
                    answer.matches.append(LookupMatch(False, holder_name(ident.case), month))
        answers.append(answer)
    record_event(
        Action.LOOKUP,
        actor=user,
        details={
            "values": len(results),
            "tokens": sorted(all_tokens)[:1000],
            "with_matches": sum(1 for a in answers if a.matches),
        },
    )
    return answers


@transaction.atomic
def request_details(user, hit: Hit) -> DetailRequest:
    """Record the wish to learn more about the other side of a hit; the mutual-assistance request builds on it."""
    if user.agency_id not in (hit.left_agency_id, hit.right_agency_id):
        raise PermissionDenied(_("This hit is not your agency's."))
    try:
        with transaction.atomic():
            request = DetailRequest.objects.create(hit=hit, requested_by=user, requesting_agency_id=user.agency_id)
    except IntegrityError:
        return DetailRequest.objects.get(hit=hit, requesting_agency_id=user.agency_id)
    record_event(Action.DETAILS_REQUESTED, actor=user, target=hit, agency=user.agency)
    from lintas.matching.notify import notify_details_requested

    notify_details_requested(request)
    return request


def _platform_admin(user) -> None:
    if not user.has_role(Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only the platform admin keeps the benign lists."))


@transaction.atomic
def add_benign(user, *, value: str, type: str | None, category: str, reason: str, country: str = "") -> BenignValue:
    _platform_admin(user)
    result = identifiers.normalize(value, type or None, country or None)
    if not result.valid:
        raise ValidationError({"value": "; ".join(result.errors) or _("Not a recognised identifier.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this value is not evidence.")})
    if category not in BenignCategory.values:
        raise ValidationError({"category": _("Not one of: %(values)s") % {"values": ", ".join(BenignCategory.values)}})
    token, _linked = tokens_for(community_key(), result)
    benign, created = BenignValue.objects.get_or_create(
        token=token,
        defaults={
            "type": str(result.type),
            "value": result.value,
            "category": category,
            "reason": reason.strip(),
            "added_by": user,
        },
    )
    if created:
        record_event(Action.BENIGN_ADDED, actor=user, target=benign, details={"value": result.value})
    return benign


@transaction.atomic
def remove_benign(user, benign: BenignValue) -> None:
    _platform_admin(user)
    record_event(Action.BENIGN_REMOVED, actor=user, target=benign, details={"value": benign.value})
    benign.delete()


def related_cases(case: Case, user) -> dict[int, list[Case]]:
    """Cases of the same agency sharing an identifier with ``case`` (linked, no hit): per identifier id."""
    mine = list(case.identifiers.values_list("id", "token", "linked_token"))
    holders = holders_of(
        {t for _, a, b in mine for t in (a, b) if t} - benign_tokens({t for _, a, b in mine for t in (a, b)})
    )
    related: dict[int, set[int]] = defaultdict(set)
    for ident_id, token, linked in mine:
        for key in (token, linked):
            for _other, case_id, agency_id in holders.get(key, []):
                if agency_id == case.owner_agency_id and case_id != case.pk:
                    related[ident_id].add(case_id)
    cases = {c.pk: c for c in Case.objects.visible_to(user).filter(pk__in={c for s in related.values() for c in s})}
    return {ident: [cases[c] for c in sorted(ids) if c in cases] for ident, ids in related.items()}
