"""The matching engine: set-wise, per batch of new identifiers, on canonical tokens.

For a batch it reads, in a few queries, every stored identifier sharing a key with the batch, then decides in
memory: benign keys never link; a key held by more cases than the cap is *hot* (one notice, no pairs); every other
key joins each new identifier with each identifier of another agency's case into a ``Hit`` (one per pair).
Matching inside one agency creates no hit (the case page shows those links).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction

from lintas.cases.models import CaseIdentifier
from lintas.core.db import prepared_cursor
from lintas.matching.models import BenignValue, Hit, HotValue
from lintas.matching.tokens import WEAK_TOKEN_MARK

__all__ = [
    "MatchPlan",
    "MatchResult",
    "NewIdentifier",
    "holders_of",
    "long_list_plan",
    "match_new_identifiers",
    "plan_matches",
    "record_matches",
    "rematch",
]

CHUNK = 2000  # parameters per IN list: well under SQLite's limit, few round trips on PostgreSQL


class NewIdentifier(NamedTuple):
    """What matching needs of a stored identifier: bulk ingest passes these instead of model instances."""

    pk: int
    case_id: int
    owner_agency_id: int
    token: str
    linked_token: str


@dataclass
class MatchResult:
    hits: list[Hit] = field(default_factory=list)
    newly_hot: set[str] = field(default_factory=set)
    benign: set[str] = field(default_factory=set)


def _chunks(values: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _rows_carrying(model, select: Sequence[str], columns: Sequence[str], values: Sequence[str]):
    """Yield ``(part, rows)``: the distinct ``select`` rows of ``model`` whose ``columns`` hold one of the values in
    ``part``, for consecutive parts of ``values``.

    Raw SQL because the ORM prepares an IN list value by value, microseconds each: that cost dominated matching a
    bulk batch. PostgreSQL gets each part as one array literal (``= ANY``, index scans as with IN); other databases
    get IN lists of ``CHUNK`` values. Several columns are searched one by one (``UNION``), never with ``OR``: almost
    every ``linked_token`` is empty, and on a large table PostgreSQL then estimates an ``OR`` of both lists at
    hundreds of thousands of rows and scans the whole table (0.9 s instead of 16 ms at 10 million identifiers).
    Empty values never match.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = ", ".join(quote(model._meta.get_field(name).column) for name in select)
    columns = [quote(model._meta.get_field(name).column) for name in columns]
    postgres = connection.vendor == "postgresql"
    # On PostgreSQL the statement is prepared (one shape whatever the number of tokens: the array is one parameter,
    # sent once for every column it is tested against), so it is planned once per connection, not per batch: with
    # the tokens written into the SQL, planning them one by one and parsing the array twice took a third of a bulk
    # batch's search (45 ms against 31 ms for 5,500 tokens at 1 M identifiers).
    with prepared_cursor() if postgres else connection.cursor() as cursor:
        for part in _chunks(values, 10 * CHUNK if postgres else CHUNK):
            if postgres:
                test, params = "= ANY(%(tokens)s::text[])", {"tokens": _text_array(part)}
            else:
                test, params = f"IN ({', '.join(['%s'] * len(part))})", list(part) * len(columns)
            # The partial index on linked_token (only rows that have one) serves the search when the query repeats
            # its condition as Django wrote it: SQLite does not take "<> ''" for "NOT (... = '')" and scanned the
            # whole table (430 ms for 2,000 tokens at 2 million identifiers, 20 ms by the index).
            sql = " UNION ".join(f"SELECT {fields} FROM {table} WHERE {c} {test} AND NOT ({c} = '')" for c in columns)  # noqa: S608
            with long_list_plan(len(part), above=_HINT_ABOVE, no_seqscan=True):
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            yield part, rows


_PLAIN_ELEMENTS = re.compile(r"[0-9A-Za-z]+(?:,[0-9A-Za-z]+)*")
_NULL_ELEMENT = re.compile(r"(?:^|,)null(?:,|$)", re.IGNORECASE)


# A long list of tokens is one index probe each. PostgreSQL misjudges how many rows a list matches (almost every
# linked_token is empty, so its sample knows few distinct ones: 1,314 where there are 433,000) and then scans the
# table, in parallel workers, or compiles the plan: at 400,000 identifiers a writer's 5,500 tokens took 105 ms so and
# 50 ms by the indexes; at 10 million, JIT and worker start-up took 80 of a lookup's 100 ms.
_HINT_ABOVE = 1000


@contextmanager
def long_list_plan(count: int, *, above: int, no_seqscan: bool = False) -> Iterator[None]:
    """Plan the queries inside without JIT and parallel workers (and, with ``no_seqscan``, without a sequential scan)
    when ``count`` tokens are more than ``above``, on PostgreSQL. ``SET LOCAL`` in a savepoint (or a transaction of
    its own): the settings are restored right after, and on an error the rollback undoes them."""
    if count <= above or connection.vendor != "postgresql":
        yield
        return
    names = ["jit", "max_parallel_workers_per_gather"] + (["enable_seqscan"] if no_seqscan else [])
    values = {"jit": "off", "max_parallel_workers_per_gather": "0", "enable_seqscan": "off"}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("; ".join(f"SET LOCAL {name} = {values[name]}" for name in names))
        yield
        cursor.execute("; ".join(f"SET LOCAL {name} TO DEFAULT" for name in names))


def _text_array(values: Sequence[str]) -> str:
    """A PostgreSQL array literal: much cheaper to send than a list the driver adapts element by element."""
    joined = ",".join(values)
    plain = joined.count(",") == len(values) - 1 and _PLAIN_ELEMENTS.fullmatch(joined)
    if plain and not _NULL_ELEMENT.search(joined):  # hex tokens: no quoting needed
        return "{" + joined + "}"
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def holders_of(
    tokens: Iterable[str], weak_linked: set[tuple[str, int]] | None = None
) -> dict[str, list[tuple[int, int, int]]]:
    """For each token: ``(identifier id, case id, agency id)`` of every stored identifier carrying it. With
    ``weak_linked``, ``(token, identifier id)`` is added to it for each weak token carried as the linked one (a handle
    on a named platform, decision 0049)."""
    tokens = sorted({t for t in tokens if t})
    found: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    select = ("id", "case", "owner_agency", "token", "linked_token")
    for part, rows in _rows_carrying(CaseIdentifier, select, ("token", "linked_token"), tokens):
        wanted = set(part)
        for ident_id, case_id, agency_id, token, linked in rows:
            if token in wanted:
                found[token].append((ident_id, case_id, agency_id))
            if linked in wanted:
                found[linked].append((ident_id, case_id, agency_id))
                if weak_linked is not None and linked[0] == WEAK_TOKEN_MARK:
                    weak_linked.add((linked, ident_id))
    return found


def benign_tokens(tokens: Iterable[str]) -> set[str]:
    tokens = sorted({t for t in tokens if t})
    return {token for _part, rows in _rows_carrying(BenignValue, ("token",), ("token",), tokens) for (token,) in rows}


def match_new_identifiers(new: Sequence[CaseIdentifier | NewIdentifier]) -> MatchResult:
    """Create the hits the new identifiers (already saved) make with everything stored. Idempotent."""
    return record_matches(plan_matches(new))


@dataclass
class MatchPlan:
    """What matching found, before anything is written: :func:`record_matches` writes it."""

    result: MatchResult
    hot_counts: dict[str, int]
    pairs: dict[tuple[int, int], tuple[str, int, int, int, int]]


MATCHING_LOCK = 0x4C696E746173  # "Lintas": the PostgreSQL advisory lock that orders matching writers


def serialise_matching() -> None:
    """Make concurrent writers match one after the other (PostgreSQL; SQLite already has one writer at a time).

    Two transactions recording the same identifier at the same instant would each search before the other
    committed, and neither would see the other: no hit. The lock is taken before the search and held until commit,
    so the later writer searches after the earlier one committed and finds its rows. Writers queue only for their
    matching and commit; readers (lookups) never wait.

    Outside a transaction the lock would be released at once, and identifiers stored in autocommit would be visible
    before they were matched: matching there is a mistake of the caller, refused on every database.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("matching must run inside the transaction that stores the identifiers")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MATCHING_LOCK])


def plan_matches(new: Sequence[CaseIdentifier | NewIdentifier], *, stored: bool = True) -> MatchPlan:
    """Read what the new identifiers match and decide the hits and hot values (no writes).

    ``stored=False``: the new identifiers (with their ids taken) are not in the table yet; they are matched with
    each other here, and the query returns only what was stored before, not a row for each of them (bulk ingest
    plans before it inserts).
    """
    result = MatchResult()
    if not new:
        return MatchPlan(result, {}, {})
    serialise_matching()
    # Which new identifiers carry each key: looking them up per key keeps a batch linear, not keys x identifiers.
    new_by_key: dict[str, list[CaseIdentifier | NewIdentifier]] = defaultdict(list)
    for ident in new:
        new_by_key[ident.token].append(ident)  # never empty
        if ident.linked_token and ident.linked_token != ident.token:
            new_by_key[ident.linked_token].append(ident)
    all_keys = set(new_by_key)
    result.benign = benign_tokens(all_keys)
    # Weak keys (a handle's any-platform key): which holders carry one only as their linked key. Two of those are the
    # same name on two named platforms, different accounts: no link between them (decision 0049).
    weak_linked: set[tuple[str, int]] = set()
    holders = holders_of(all_keys - result.benign, weak_linked)
    if not stored:
        # A key carried by one new identifier and nothing stored links nothing (most keys of a batch): only the
        # others need their new carriers among the holders.
        for key, idents in new_by_key.items():
            if key not in result.benign and (len(idents) > 1 or key in holders):
                holders[key].extend((ident.pk, ident.case_id, ident.owner_agency_id) for ident in idents)
                if key[0] == WEAK_TOKEN_MARK:
                    weak_linked.update((key, ident.pk) for ident in idents if ident.token != key)
    cap = settings.MATCHING_HOT_CASE_CAP
    hot_counts: dict[str, int] = {}
    pairs: dict[tuple[int, int], tuple[str, int, int, int, int]] = {}
    for key, rows in holders.items():
        if len(rows) > cap:  # at most as many cases as rows: counting them is needed only past the cap
            cases = {case_id for _, case_id, _ in rows}
            if len(cases) > cap:
                hot_counts[key] = len(cases)
                continue
        if len(rows) < 2:  # only the new identifier itself (most keys of a batch)
            continue
        weak = key[0] == WEAK_TOKEN_MARK
        for ident in new_by_key.get(key, ()):
            ident_linked = weak and ident.token != key
            for other_id, other_case, other_agency in rows:
                if other_agency == ident.owner_agency_id or other_case == ident.case_id:
                    continue
                if ident_linked and (key, other_id) in weak_linked:
                    continue  # the same name on two named platforms
                left, right = sorted(
                    ((ident.pk, ident.case_id, ident.owner_agency_id), (other_id, other_case, other_agency))
                )
                pair = (left[0], right[0])
                found = pairs.get(pair)
                if found is None or (found[0][0] == WEAK_TOKEN_MARK and not weak):  # a strong link outranks a weak one
                    pairs[pair] = (key, left[1], right[1], left[2], right[2])
    # Only keys hot now can be newly hot: the stored hot values are read for those alone, not for every key.
    already_hot = {
        t for _part, rows in _rows_carrying(HotValue, ("token",), ("token",), sorted(hot_counts)) for (t,) in rows
    }
    result.newly_hot = set(hot_counts) - already_hot
    return MatchPlan(result, hot_counts, pairs)


def record_matches(plan: MatchPlan) -> MatchResult:
    """Write what :func:`plan_matches` decided (once the new identifiers are stored): hot values, then hits."""
    if plan.hot_counts:
        _record_hot(plan.hot_counts)
    plan.result.hits = _create_hits(plan.pairs)
    return plan.result


def rematch(tokens: Iterable[str]) -> MatchResult:
    """Match again every stored identifier carrying one of ``tokens``: after a value left the benign list, the pairs
    skipped while it was listed become hits (or a hot value). Idempotent: pairs already stored are kept."""
    holders = holders_of(tokens)
    ids = sorted({ident for rows in holders.values() for ident, _case, _agency in rows})
    stored = []
    for part in _chunks(ids):
        rows = CaseIdentifier.objects.filter(pk__in=part)
        stored += [
            NewIdentifier(*row) for row in rows.values_list("id", "case", "owner_agency", "token", "linked_token")
        ]
    return match_new_identifiers(stored)


def _record_hot(counts: dict[str, int]) -> None:
    existing = {h.token: h for h in HotValue.objects.filter(token__in=list(counts))}
    changed = []
    for token, count in counts.items():
        if token in existing:
            if existing[token].case_count != count:
                existing[token].case_count = count
                changed.append(existing[token])
        else:
            HotValue.objects.create(token=token, case_count=count)
    if changed:  # one statement for all (a bulk batch changes the counts of most hot values it carries)
        HotValue.objects.bulk_update(changed, ["case_count"])


def _create_hits(pairs: dict[tuple[int, int], tuple[str, int, int, int, int]]) -> list[Hit]:
    """Insert the pairs not stored yet and return the new hits (with ids)."""
    if not pairs:
        return []
    existing: set[tuple[int, int]] = set()
    lefts = sorted({left for left, _ in pairs})
    for part in _chunks(lefts):
        existing.update(Hit.objects.filter(left_id__in=part).values_list("left_id", "right_id"))
    fresh = [
        Hit(
            token=key,
            left_id=left,
            right_id=right,
            left_case_id=lc,
            right_case_id=rc,
            left_agency_id=la,
            right_agency_id=ra,
        )
        for (left, right), (key, lc, rc, la, ra) in pairs.items()
        if (left, right) not in existing
    ]
    if not fresh:
        return []
    # Both databases return the new ids (INSERT ... RETURNING); the unique pair constraint guards against races.
    return Hit.objects.bulk_create(fresh, batch_size=1000)
