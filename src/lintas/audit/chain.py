"""The audit hash chain: how an event's hash is computed and how a chain is verified.

Pure functions over plain rows so that the verifier can be tested on any sequence and run over the database in
chunks. A row is anything with the attributes named in ``CONTENT_FIELDS`` plus ``seq``, ``prev_hash`` and ``hash``.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["CONTENT_FIELDS", "GENESIS_HASH", "ChainProblem", "VerifyReport", "event_hash", "verify_chain"]

GENESIS_HASH = "0" * 64

# actor_id is not hashed: it becomes NULL when a user is deleted (SET_NULL), while the copied name stays.
CONTENT_FIELDS = (
    "occurred_at",
    "actor_username",
    "actor_agency_code",
    "agency_id",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "request_id",
    "client_ip",
    "details",
)
CHAIN_FIELDS = ("seq", "prev_hash", "hash")


def _canonical_time(value) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    return str(value)


def event_hash(row, seq: int, prev_hash: str) -> str:
    """SHA-256 over the event's content, its position and the previous event's hash, as canonical JSON."""
    content = {name: getattr(row, name) for name in CONTENT_FIELDS}
    content["occurred_at"] = _canonical_time(content["occurred_at"])
    content["seq"] = seq
    content["prev_hash"] = prev_hash
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain is not what was sealed. ``position`` is the chain position (``seq``)."""

    position: int
    kind: str  # altered | deleted | inserted | broken
    message: str


@dataclass
class VerifyReport:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    unsealed: int = 0
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> ChainProblem | None:
        return self.problems[0] if self.problems else None


def verify_chain(rows: Iterable, *, recorded_head_seq: int | None = None, recorded_head_hash: str | None = None):
    """Walk sealed rows in ``seq`` order and report the first altered, deleted or inserted event.

    ``recorded_head_*`` is what the sealer last wrote; comparing the end of the walk with it catches events cut off
    or appended at the end, which no link inside the chain can show.
    """
    report = VerifyReport()
    prev = None
    for row in rows:
        expected_seq = prev.seq + 1 if prev is not None else 1
        if row.seq > expected_seq:
            missing = f"{expected_seq}" if row.seq == expected_seq + 1 else f"{expected_seq}-{row.seq - 1}"
            report.problems.append(ChainProblem(expected_seq, "deleted", f"event(s) at position {missing} missing"))
            return report
        expected_prev = prev.hash if prev is not None else GENESIS_HASH
        self_ok = event_hash(row, row.seq, row.prev_hash) == row.hash
        if row.prev_hash != expected_prev:
            before_prev = prev.prev_hash if prev is not None else None
            if prev is not None and row.prev_hash == before_prev:
                problem = ChainProblem(prev.seq, "inserted", f"event at position {prev.seq} was inserted")
            elif prev is not None and self_ok:
                problem = ChainProblem(
                    prev.seq, "altered", f"event at position {prev.seq} no longer has the hash its successor recorded"
                )
            else:
                problem = ChainProblem(
                    row.seq,
                    "broken",
                    f"event at position {row.seq} does not link to its predecessor "
                    "(an event was deleted here, or this one was altered)",
                )
            report.problems.append(problem)
            return report
        if not self_ok:
            report.problems.append(ChainProblem(row.seq, "altered", f"event at position {row.seq} was altered"))
            return report
        prev = row
        report.checked += 1
        report.head_seq = row.seq
        report.head_hash = row.hash
    if recorded_head_seq is not None:
        if report.head_seq < recorded_head_seq:
            position = report.head_seq + 1
            report.problems.append(
                ChainProblem(position, "deleted", f"events from position {position} to {recorded_head_seq} missing")
            )
        elif report.head_seq > recorded_head_seq:
            position = recorded_head_seq + 1
            report.problems.append(
                ChainProblem(position, "inserted", f"event at position {position} was appended after the last seal")
            )
        elif recorded_head_hash is not None and report.head_hash != recorded_head_hash:
            report.problems.append(
                ChainProblem(report.head_seq, "altered", f"event at position {report.head_seq} was altered")
            )
    return report
