"""The re-match sweep: every hit that should exist, exists.

Matching runs when identifiers are recorded. Some hits can still be missing afterwards: a value left the benign list
while its job could not run, the hot-value cap was raised, a bug or a restore lost rows. The sweep finds them from the
stored identifiers alone, in set-based SQL (:func:`keys_to_match`): the keys held by more than one agency, not
benign, held by at most the cap's cases, of which some pair of holders of two agencies has no hit; and the keys held
by more cases than the cap that are not yet recorded as hot. Those keys, a batch at a time, go through the engine's
own path (``engine.rematch``: the matching lock, benign and hot rules, ``Hit`` rows, notices), each batch in one
transaction with the ``hit.created`` events of both agencies' trails, as a benign value's removal always did. Hits
already stored are kept, so a second run creates nothing. Decision 0036.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection, transaction

from lintas.agencies.models import Agency
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import CaseIdentifier
from lintas.matching import engine
from lintas.matching.models import BenignValue, Hit, HotValue
from lintas.matching.tokens import WEAK_TOKEN_MARK

__all__ = ["SweepReport", "keys_to_match", "sweep"]

BATCH = 2000  # keys matched again per transaction: the matching lock is held for one batch at a time


@dataclass
class SweepReport:
    """What a sweep did; saved as a run's progress after every batch."""

    phase: str = "searching"
    keys: int = 0  # keys found to need matching
    keys_done: int = 0
    hits: int = 0
    hot_registered: int = 0
    hot_cleared: int = 0
    search_seconds: float = 0.0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "ci": quote(CaseIdentifier._meta.db_table),
        "hit": quote(Hit._meta.db_table),
        "benign": quote(BenignValue._meta.db_table),
        "hot": quote(HotValue._meta.db_table),
    }


def _cases_of(key_sql: str, t: dict[str, str]) -> str:
    """SQL counting the distinct cases holding the key ``key_sql`` (a column of the outer query), by the indexes."""
    return (
        f"(SELECT count(*) FROM (SELECT case_id FROM {t['ci']} WHERE token = {key_sql} UNION "  # noqa: S608
        f"SELECT case_id FROM {t['ci']} WHERE linked_token = {key_sql} AND NOT (linked_token = '')) held)"
    )


def _planner(cursor, **settings_: str) -> None:
    """``SET LOCAL`` PostgreSQL planner settings for the statements that follow in this transaction (nothing
    elsewhere: SQLite plans these statements well by itself)."""
    if connection.vendor == "postgresql":
        cursor.execute("; ".join(f"SET LOCAL {name} = {value}" for name, value in settings_.items()))


def keys_to_match(cap: int | None = None) -> list[str]:
    """Every key the engine must match again for the stored hits to be complete, in set-based SQL.

    1. One pass over all keys, own and linked (``UNION ALL``), grouped as a plain ``GROUP BY token`` is: the keys of
       more than one identifier. On PostgreSQL, in key order from the two indexes merged (no hash table of every key,
       no sort of the table; a hash aggregate took twice as long at 1 M identifiers and spills to disk at 10 M), so the
       pass costs about what the plain ``GROUP BY token`` does. Kept in a temporary table without the benign ones: a
       few per cent of the keys.
    2. Their holders (identifier, case, agency), an index probe per key in each column: a second temporary table.
    3. From the holders: the keys held by more cases than the cap and not recorded as hot (to be recorded, with one
       notice); and those held by two agencies and no more cases than the cap of which a pair of holders of two
       agencies has no hit.

    The same SQL on SQLite and PostgreSQL; on PostgreSQL, planner settings for each step (the estimates of linked
    tokens are poor, see ``engine._rows_carrying``) and no JIT.
    """
    cap = settings.MATCHING_HOT_CASE_CAP if cap is None else cap
    t = _tables()
    ci = t["ci"]
    # PostgreSQL: one transaction, for one snapshot and the SET LOCAL settings (it holds no lock writers wait for).
    # SQLite: none, as its transactions take the write lock at BEGIN and would hold every writer for the search; the
    # temporary tables live in the connection's own database.
    postgres = connection.vendor == "postgresql"
    with transaction.atomic() if postgres else nullcontext(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS lintas_rematch_keys")
        cursor.execute("DROP TABLE IF EXISTS lintas_rematch_holders")
        _planner(cursor, jit="off", enable_hashagg="off")
        cursor.execute(
            "CREATE TEMPORARY TABLE lintas_rematch_keys AS SELECT k.key AS key FROM ("  # noqa: S608 - quoted tables
            f"SELECT token AS key FROM {ci} UNION ALL "
            f"SELECT linked_token FROM {ci} WHERE NOT (linked_token = '')) k "
            "GROUP BY k.key HAVING count(*) > 1"
        )
        cursor.execute(
            f"DELETE FROM lintas_rematch_keys WHERE key = '' OR key IN (SELECT token FROM {t['benign']})"  # noqa: S608
        )
        _planner(
            cursor, enable_hashagg="on", enable_seqscan="off", enable_bitmapscan="off", enable_hashjoin="off",
            enable_mergejoin="off",
        )  # fmt: skip
        cursor.execute(
            "CREATE TEMPORARY TABLE lintas_rematch_holders AS "  # noqa: S608
            f"SELECT k.key, i.id, i.case_id, i.owner_agency_id AS agency, 1 AS own FROM lintas_rematch_keys k "
            f"JOIN {ci} i ON i.token = k.key UNION "
            f"SELECT k.key, i.id, i.case_id, i.owner_agency_id, 0 FROM lintas_rematch_keys k "
            f"JOIN {ci} i ON i.linked_token = k.key AND NOT (i.linked_token = '')"
        )
        _planner(
            cursor, enable_seqscan="on", enable_bitmapscan="on", enable_hashjoin="on", enable_mergejoin="on",
            work_mem="'64MB'",
        )  # fmt: skip
        if postgres:
            cursor.execute("ANALYZE lintas_rematch_holders")
        # Hot now (more cases than the cap) but not recorded: the engine records it and sends the one notice.
        cursor.execute(
            "SELECT key FROM lintas_rematch_holders r GROUP BY key HAVING count(DISTINCT case_id) > %s "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {t['hot']} h WHERE h.token = r.key)",
            [cap],
        )
        keys = {key for (key,) in cursor.fetchall()}
        # Held by two agencies and by no more cases than the cap: is a pair of holders of two agencies without a hit?
        cursor.execute(
            "WITH candidate AS (SELECT key FROM lintas_rematch_holders GROUP BY key "  # noqa: S608
            "HAVING count(DISTINCT case_id) <= %s AND min(agency) <> max(agency)) "
            "SELECT DISTINCT a.key FROM candidate c JOIN lintas_rematch_holders a ON a.key = c.key "
            "JOIN lintas_rematch_holders b ON b.key = a.key AND a.id < b.id AND a.agency <> b.agency "
            # two carriers of a weak key as their linked one are one name on two named platforms: no pair (0049)
            f"AND (a.own = 1 OR b.own = 1 OR substr(a.key, 1, 1) <> '{WEAK_TOKEN_MARK}') "
            f"WHERE NOT EXISTS (SELECT 1 FROM {t['hit']} h WHERE h.left_id = a.id AND h.right_id = b.id)",
            [cap],
        )
        keys.update(key for (key,) in cursor.fetchall())
        cursor.execute("DROP TABLE lintas_rematch_holders")
        cursor.execute("DROP TABLE lintas_rematch_keys")
    return sorted(keys)


def clear_stale_hot(tokens: Sequence[str] | None = None, cap: int | None = None) -> int:
    """Forget the hot values (of ``tokens``, or all) now held by no more cases than the cap (it was raised, or cases
    were deleted): lookups stop flagging them, and if one becomes hot again its holders hear of it again. The counts
    of the others are brought up to date. Returns how many were forgotten. Inside the caller's transaction."""
    cap = settings.MATCHING_HOT_CASE_CAP if cap is None else cap
    t = _tables()
    rows = HotValue.objects.all() if tokens is None else HotValue.objects.filter(token__in=list(tokens))
    ids = list(rows.values_list("id", flat=True))
    if not ids:
        return 0
    counts = []
    with connection.cursor() as cursor:
        for offset in range(0, len(ids), engine.CHUNK):
            part = ids[offset : offset + engine.CHUNK]
            cursor.execute(
                f"SELECT h.id, h.case_count, {_cases_of('h.token', t)} FROM {t['hot']} h "  # noqa: S608
                f"WHERE h.id IN ({', '.join(['%s'] * len(part))})",
                part,
            )
            counts += cursor.fetchall()
    stale = [pk for pk, _old, now in counts if now <= cap]
    for pk, old, now in counts:
        if now > cap and old != now:
            HotValue.objects.filter(pk=pk).update(case_count=now)
    HotValue.objects.filter(pk__in=stale).delete()
    return len(stale)


def sweep(
    *,
    reason: str,
    tokens: Sequence[str] | None = None,
    progress: Callable[[SweepReport], None] | None = None,
    actor_username: str = "job",
    batch: int = BATCH,
    run_id: int | None = None,
) -> SweepReport:
    """Create every missing hit (of every stored identifier, or of those carrying ``tokens``), notified and audited
    as matching does, and record the hot values not yet recorded. Idempotent. One ``hit.rematch_swept`` event for the
    run (platform trail), one ``hit.created`` event per agency and batch that got hits."""
    report = SweepReport()
    start = time.perf_counter()
    keys = keys_to_match() if tokens is None else sorted({t for t in tokens if t})
    report.search_seconds = round(time.perf_counter() - start, 3)
    report.keys, report.phase = len(keys), "matching"
    if progress:
        progress(report)
    from lintas.matching.notify import notify_match

    for offset in range(0, len(keys), batch):
        part = keys[offset : offset + batch]
        with transaction.atomic():
            outcome = engine.rematch(part)
            _audit_hits(outcome, reason, part)
            notify_match(outcome)
        report.hits += len(outcome.hits)
        report.hot_registered += len(outcome.newly_hot)
        report.keys_done += len(part)
        if progress:
            progress(report)
    with transaction.atomic():  # the hot values forgotten or recounted, and the run's event, together
        report.hot_cleared = clear_stale_hot(tokens)
        report.phase = "done"
        report.seconds = round(time.perf_counter() - start, 3)
        details = {"reason": reason, **report.as_dict()}
        if tokens is not None:
            details["tokens"] = sorted(keys)[:100]
        record_event(
            Action.REMATCH_SWEPT,
            actor_username=actor_username,
            object_type="matching.rematchrun",
            object_id=str(run_id or ""),
            details=details,
        )
    if progress:
        progress(report)
    return report


def _audit_hits(outcome: engine.MatchResult, reason: str, tokens: Sequence[str]) -> None:
    """``hit.created`` in the trail of each agency that got hits, as for a case recorded (inside the batch)."""
    per_agency: Counter[int] = Counter()
    for hit in outcome.hits:
        per_agency[hit.left_agency_id] += 1
        per_agency[hit.right_agency_id] += 1
    for agency in Agency.objects.filter(pk__in=per_agency):
        record_event(
            Action.HITS_CREATED,
            actor_username="job",
            agency=agency,
            object_type="matching.hit",
            details={"hits": per_agency[agency.pk], "reason": reason, "tokens": sorted(tokens)[:100]},
        )
