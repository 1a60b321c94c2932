"""Lookups, benign values and requests for details.

A lookup answers, for each value, what the user may see (matching cases they can read), what they may not (hit/no-hit:
who holds it, since when) and whether the value is benign or hot. Every lookup is audited with the tokens looked up,
never the raw values.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from lintas import identifiers
from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event, record_read
from lintas.cases.choices import IdentifierRole
from lintas.cases.models import Case, CaseIdentifier
from lintas.core.db import prepared_cursor
from lintas.matching.allowance import LookupLimitReached, spend
from lintas.matching.choices import AllowanceKind, BenignCategory
from lintas.matching.engine import CHUNK, _text_array, benign_tokens, holders_of, long_list_plan
from lintas.matching.models import BenignValue, DetailRequest, Hit, HotValue, RematchRun
from lintas.matching.presenters import holder_label
from lintas.matching.tokens import community_key, is_weak, tokens_for

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_LOOKUP_VALUES",
    "LookupAnswer",
    "LookupLimitReached",
    "add_benign",
    "lookup",
    "queue_rematch",
    "remove_benign",
    "request_details",
]

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
    weak: bool = False  # same handle, platform not stated (decision 0049)


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
    spend(user, len(results), AllowanceKind.LOOKUP)  # the whole lookup is refused past the allowance
    key = community_key()
    keyed = [(result, tokens_for(key, result) if result.valid else ("", "")) for result in results]
    all_tokens = {t for _, pair in keyed for t in pair if t}
    benign, hot, carriers = _statuses_and_carriers(user, all_tokens)
    role_labels = _role_labels(translation.get_language())
    answers = []
    for result, (own, linked) in keyed:
        answer = LookupAnswer(
            result.input or result.display, str(result.type), result.value, result.valid, list(result.errors)
        )
        # A case found by both is answered once (seen_cases), by the strong token when one is (weak ones last).
        tokens = sorted((t for t in (own, linked) if t), key=is_weak)
        answer.benign = any(t in benign for t in tokens)
        answer.hot = any(t in hot for t in tokens)
        seen_cases: set[int] = set()
        for token in tokens:
            weak = is_weak(token)
            for carrier in carriers.get(token, ()):
                if carrier.case_id in seen_cases:
                    continue
                if weak and token == linked and carrier.token != token:
                    continue  # the same name on another named platform: a different account
                seen_cases.add(carrier.case_id)
                month = carrier.created_at.strftime("%Y-%m")
                if carrier.visible:
                    answer.matches.append(
                        LookupMatch(
                            True,
                            carrier.agency,
                            month,
                            carrier.case_id,
                            carrier.reference,
                            carrier.title,
                            role_labels.get(carrier.role, carrier.role),
                            weak,
                        )
                    )
                else:
                    holder = holder_label(carrier.agency, carrier.hide_owner)
                    answer.matches.append(LookupMatch(False, holder, month, weak=weak))
        answers.append(answer)
    record_read(
        Action.LOOKUP,
        actor=user,
        details={
            "values": len(results),
            "tokens": sorted(all_tokens)[:1000],
            "with_matches": sum(1 for a in answers if a.matches),
        },
    )
    return answers


class _Carrier(NamedTuple):
    """A stored identifier carrying a looked-up token, with what a lookup may show of its case."""

    id: int
    case_id: int
    token: str
    linked_token: str
    role: str
    created_at: dt.datetime
    reference: str
    title: str
    hide_owner: bool
    agency: str
    visible: bool


def _one_of(column: str, tokens: Sequence[str]) -> tuple[str, list]:
    """SQL testing ``column`` against ``tokens``: on PostgreSQL ``= ANY`` of one array literal (an IN list is quoted
    value by value, milliseconds for a lookup's 2,000 tokens), elsewhere an IN list."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::text[])", [_text_array(tokens)]
    return f"{column} IN ({', '.join(['%s'] * len(tokens))})", list(tokens)


def _parts(tokens: set[str]) -> Iterable[list[str]]:
    ordered = sorted(tokens)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _statuses_and_carriers(user, tokens: set[str]) -> tuple[set[str], set[str], dict[str, list[_Carrier]]]:
    """Which of ``tokens`` are benign, which hot, and for each token not benign the stored identifiers carrying it
    (as their own token or as the linked one) in the order they were stored, each with its case's reference, title
    and holder and whether ``user`` may see that case (the caller shows a case it may not see only as hit/no-hit).

    One query per part of the tokens (for a single-value lookup, one statement in all: a second cost as much as the
    lookup's Python), rows as tuples (a hot value has hundreds). Whether the user may see a case is an ``EXISTS`` on
    the SQL of ``Case.objects.visible_to(user)``, the one access path. Raw SQL around it because composing the same
    query with the ORM cost 2 ms a lookup, more than everything else of a single-value lookup together. The two token
    columns are searched one by one (``UNION``), never with ``OR``, and ``NOT (linked_token = '')``, the partial
    index's own condition, lets it serve the second (see ``engine._rows_carrying``). The carriers come first: their
    column types decide the union's.
    """
    benign: set[str] = set()
    hot: set[str] = set()
    found: dict[str, list[_Carrier]] = defaultdict(list)
    if not tokens:
        return benign, hot, found
    idents, cases, agencies = _table(CaseIdentifier), _table(Case), _table(Agency)
    benign_table, hot_table = _table(BenignValue), _table(HotValue)
    visible, visible_params = Case.objects.visible_pk_sql(user) or (f"SELECT id AS pk FROM {cases} WHERE 1 = 0", ())  # noqa: S608
    columns = "id, case_id, token, linked_token, role, created_at"
    padding = "NULL, NULL, token, '', '', NULL, '', '', FALSE, '', FALSE"  # a status row: its token, nothing else
    with _cursor_for(tokens) as cursor:
        for part in _parts(tokens):
            own, params = _one_of("token", part)
            linked, _same = _one_of("linked_token", part)
            sql = (
                "SELECT 0, m.id, m.case_id, m.token, m.linked_token, m.role, m.created_at, c.reference, c.title, "  # noqa: S608
                f"c.hide_owner_in_hits, a.short_name, EXISTS (SELECT 1 FROM ({visible}) v WHERE v.pk = m.case_id) "
                f"FROM (SELECT {columns} FROM {idents} i WHERE {own} "
                f"AND NOT EXISTS (SELECT 1 FROM {benign_table} b WHERE b.token = i.token) UNION "
                f"SELECT {columns} FROM {idents} i WHERE {linked} AND NOT (linked_token = '') "
                f"AND NOT EXISTS (SELECT 1 FROM {benign_table} b WHERE b.token = i.linked_token)) m "
                f"JOIN {cases} c ON c.id = m.case_id JOIN {agencies} a ON a.id = c.owner_agency_id "
                f"UNION ALL SELECT 1, {padding} FROM {benign_table} WHERE {own} "
                f"UNION ALL SELECT 2, {padding} FROM {hot_table} WHERE {own} "
                "ORDER BY 1, 2"
            )
            with long_list_plan(len(part), above=_FEW_TOKENS):
                cursor.execute(sql, [*visible_params, *params, *params, *params, *params])
                rows = cursor.fetchall()
            carriers = []
            for kind, *row in rows:
                if kind == 0:
                    carriers.append(_Carrier(*row))
                else:
                    (benign if kind == 1 else hot).add(row[2])
            wanted = set(part) - benign  # a benign value is carried by no one, even as another's linked token
            for carrier in carriers:
                for key in (carrier.token, carrier.linked_token) if carrier.linked_token else (carrier.token,):
                    if key in wanted:
                        found[key].append(carrier)
    return benign, hot, found


@functools.cache
def _role_labels(language: str | None) -> dict[str, str]:
    """Identifier roles by name in ``language``. get_role_display() hashes every (lazy, translated) choice on each
    call: with a hot value's hundreds of matches it took most of a lookup's time; translating the table on every
    lookup still cost a tenth of a single-value one. The table is fixed, so one per language."""
    with translation.override(language):
        return {value: str(label) for value, label in IdentifierRole.choices}


def _cursor_for(tokens: set[str]):
    """A prepared statement's cursor for a lookup of a few values (most API lookups are of one), planned once per
    connection; Django's cursor, planned for its own list each time, for more (see ``engine.long_list_plan``)."""
    return prepared_cursor() if len(tokens) <= _FEW_TOKENS else connection.cursor()


def _table(model) -> str:
    quoted = _quoted_tables.get(model)
    if quoted is None:
        quoted = _quoted_tables[model] = connection.ops.quote_name(model._meta.db_table)
    return quoted


_quoted_tables: dict = {}  # model: its quoted table name (the same on both databases: double quotes)


# Up to this many tokens PostgreSQL estimates the carriers query as cheap and plans it plainly; above, it overestimates
# the linked-token matches and would start JIT and parallel workers (engine.long_list_plan).
_FEW_TOKENS = 50


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
        # Nothing is created for a benign value; the run brings its hot-value count up to date (decision 0036).
        queue_rematch("benign value added", [token])
    return benign


@transaction.atomic
def remove_benign(user, benign: BenignValue) -> None:
    _platform_admin(user)
    record_event(Action.BENIGN_REMOVED, actor=user, target=benign, details={"value": benign.value})
    token = benign.token
    benign.delete()
    # The pairs it kept from being hits become hits now (a job: a bank hotline can be in thousands of cases).
    queue_rematch("benign value removed", [token])


def queue_rematch(reason: str, tokens: Sequence[str] | None = None) -> RematchRun:
    """Record a re-match run (of the identifiers carrying ``tokens``, or of all) in the caller's transaction and
    queue its job once that commits. A queue outage is logged, never an error page: the run stays queued, and the
    nightly sweep, or ``lintas rematch --all``, creates what it would have."""
    scope = sorted({t for t in tokens or () if t})
    if tokens is not None and not scope:
        raise ValueError("no token to match again: pass None for every identifier")
    run = RematchRun.objects.create(reason=reason[:200], tokens=scope)
    transaction.on_commit(lambda: _enqueue(run.pk, reason))
    return run


def _enqueue(run_id: int, reason: str) -> None:
    from lintas.matching.tasks import run_rematch

    try:
        run_rematch(run_id)
    except Exception:
        logger.exception("could not queue re-match run %s (%s)", run_id, reason)


def related_cases(case: Case, user) -> dict[int, list[Case]]:
    """Cases of the same agency sharing an identifier with ``case`` (linked, no hit): per identifier id."""
    mine = list(case.identifiers.values_list("id", "token", "linked_token"))
    weak_linked: set[tuple[str, int]] = set()
    holders = holders_of(
        {t for _, a, b in mine for t in (a, b) if t} - benign_tokens({t for _, a, b in mine for t in (a, b)}),
        weak_linked,
    )
    related: dict[int, set[int]] = defaultdict(set)
    for ident_id, token, linked in mine:
        for key in (token, linked):
            for other, case_id, agency_id in holders.get(key, []):
                if agency_id == case.owner_agency_id and case_id != case.pk:
                    if key == linked and (key, other) in weak_linked:
                        continue  # the same name on two named platforms (decision 0049)
                    related[ident_id].add(case_id)
    cases = {c.pk: c for c in Case.objects.visible_to(user).filter(pk__in={c for s in related.values() for c in s})}
    return {ident: [cases[c] for c in sorted(ids) if c in cases] for ident, ids in related.items()}
