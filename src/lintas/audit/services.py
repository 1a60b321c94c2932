"""Writing the audit trail and sealing it into the hash chain.

``record_event`` is called by every service in the same transaction as the action it records; it takes no lock on
the chain, so many writers never wait for each other. ``seal_pending`` runs shortly after (a job enqueued on commit)
and appends the unsealed events to the chain in order, under one lock row.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from lintas.audit import reads
from lintas.audit.chain import GENESIS_HASH, VerifyReport, event_hash, verify_chain
from lintas.audit.choices import Action, Outcome
from lintas.audit.models import AuditChainHead, AuditEvent
from lintas.core import context
from lintas.core.db import prepared_cursor, write_rows

if TYPE_CHECKING:
    from lintas.accounts.models import User
    from lintas.agencies.models import Agency

__all__ = [
    "insert_events",
    "record_denial",
    "record_event",
    "record_read",
    "record_refused_read",
    "request_seal",
    "seal_pending",
    "verify_database",
]

logger = logging.getLogger(__name__)

SEAL_BATCH = 5000
_SEAL_FLAG = "lintas:audit:seal-requested"


def record_event(
    action: Action,
    *,
    actor: User | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    target=None,
    object_type: str = "",
    object_id: str = "",
    agency: Agency | None = None,
    details: dict | None = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event. ``agency`` is whose trail it belongs to: by default the target's, else the actor's."""
    event = _new_event(action, actor, outcome, target, object_type, object_id, agency, details, actor_username)
    _write_now(event)
    return event


def record_read(
    action: Action,
    *,
    actor: User | None = None,
    target=None,
    object_type: str = "",
    object_id: str = "",
    agency: Agency | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Record a read that changed nothing (a lookup): handed to this process's read trail, which writes it within
    ``AUDIT_READ_FLUSH_SECONDS`` with the other reads of that moment (``lintas.audit.reads``: nothing is dropped).

    Inside a transaction, or with the interval at 0, it is written at once, as ``record_event`` writes. Never use it
    for a write: a write's event belongs in the write's transaction.
    """
    event = _new_event(action, actor, Outcome.SUCCESS, target, object_type, object_id, agency, details, "")
    _hand_to_trail(event)
    return event


def record_refused_read(actor, reason: str, *, object_type: str, object_id: str, agency_id: int | None) -> AuditEvent:
    """Record that ``actor`` named an object it may not read, or one that does not exist, through the read trail
    (``record_read``'s path): the 404 does not wait for the write, and a hidden object costs its answer no more than
    a missing one (decision 0030). ``agency_id`` is whose trail it belongs to: the hidden object's owner, or None (the
    platform's trail) for a missing one, so that the actor's own agency sees neither."""
    event = _new_event(
        Action.ACCESS_DENIED, actor, Outcome.DENIED, None, object_type, object_id, None, {"reason": str(reason)}, ""
    )
    event.agency_id = agency_id
    _hand_to_trail(event)
    return event


def _hand_to_trail(event: AuditEvent) -> None:
    if settings.AUDIT_READ_FLUSH_SECONDS <= 0 or connection.in_atomic_block:
        _write_now(event)
    else:
        reads.trail.add(event)


def _write_now(event: AuditEvent) -> None:
    _insert(event)
    transaction.on_commit(request_seal)


def _new_event(action, actor, outcome, target, object_type, object_id, agency, details, actor_username) -> AuditEvent:
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
    object_type, object_id = object_type[:100], str(object_id)[:100]
    real_actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if agency is None:
        agency = getattr(target, "agency", None) or getattr(target, "owner_agency", None)
    if agency is None and real_actor is not None:
        agency = real_actor.agency
    return AuditEvent(
        occurred_at=timezone.now(),
        actor=real_actor,
        actor_username=real_actor.username if real_actor else actor_username[:150],
        actor_agency_code=real_actor.agency.code if real_actor else "",
        agency=agency,
        action=action,
        outcome=outcome,
        object_type=object_type,
        object_id=object_id,
        request_id=context.request_id(),
        client_ip=context.client_ip(),
        details=details or {},
    )


_insert_sql: dict[str, tuple[str, list]] = {}  # per database alias: the INSERT and the fields it writes


def _insert_fields() -> list:
    return [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]


def _insert(event: AuditEvent) -> None:
    """Insert a new event as ``event.save()`` would, with one prepared statement: every write (and, with the read
    trail off, every read) writes an event, and the ORM's save path (compiler, signals, savepoint bookkeeping) cost a
    quarter of a single-value lookup."""
    db = connections[DEFAULT_DB_ALIAS]
    prepared = _insert_sql.get(db.alias)
    if prepared is None:
        fields = _insert_fields()
        quote = db.ops.quote_name
        sql = (
            f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        if db.features.can_return_columns_from_insert:
            sql += f" RETURNING {quote(AuditEvent._meta.pk.column)}"
        prepared = _insert_sql[db.alias] = (sql, fields)
    sql, fields = prepared
    params = [field.get_db_prep_save(field.pre_save(event, True), db) for field in fields]  # as save() makes them
    # As save() does: an error inside an atomic block marks it for rollback even if a caller catches it.
    with transaction.mark_for_rollback_on_error(), prepared_cursor() as cursor:
        cursor.execute(sql, params)
        event.pk = cursor.fetchone()[0] if db.features.can_return_columns_from_insert else cursor.lastrowid
    event._state.adding = False
    event._state.db = db.alias


def insert_events(events: list[AuditEvent], *, method: str | None = None) -> str:
    """Insert new events in one go and return how: "copy" (PostgreSQL's ``COPY ... FROM STDIN``: 48 µs an event in
    batches of 40, against 76-149 µs for one prepared INSERT run for every row, measured alternately) or
    "executemany" (that INSERT, elsewhere), through ``lintas.core.db.write_rows``. Their ``pk`` stays unset. For the
    read trail's batches; call it inside a transaction."""
    db = connections[DEFAULT_DB_ALIAS]
    method = method or ("copy" if db.vendor == "postgresql" else "executemany")
    fields = _insert_fields()
    rows = [[field.get_db_prep_save(field.pre_save(event, True), db) for field in fields] for event in events]
    write_rows(AuditEvent._meta.db_table, [field.column for field in fields], rows, method=method)
    return method


def record_denial(actor, reason: str, *, target=None, object_type: str = "", object_id: str = "") -> AuditEvent:
    """Record a refused action. Call it outside the refused action's transaction, or it is rolled back with it."""
    return record_event(
        Action.ACCESS_DENIED,
        actor=actor,
        outcome=Outcome.DENIED,
        target=target,
        object_type=object_type,
        object_id=object_id,
        details={"reason": str(reason)},
    )


def request_seal() -> None:
    """Ask for a seal run soon. Bursts of events share one run: the flag lives as long as the delay."""
    from lintas.audit.tasks import seal_audit_chain

    if settings.HUEY.get("immediate"):
        seal_audit_chain()
        return
    now = time.time()
    if now < _seal_due[0]:  # a run is asked for a moment still to come: it will seal this event too
        return
    delay = settings.AUDIT_SEAL_DELAY_SECONDS
    try:
        due = now + delay
        if cache.add(_SEAL_FLAG, due, timeout=delay):
            seal_audit_chain.schedule(delay=delay)
        else:  # another process asked for the run: the flag says when it comes
            due = cache.get(_SEAL_FLAG) or now
        _seal_due[0] = due
    except Exception:  # The periodic seal catches up; a queue or cache outage must not fail the user's action.
        logger.exception("could not schedule the audit seal job")


# When the seal run this process knows of is due (epoch seconds, shared through the flag by every process): until
# then, its events need not ask the cache (with Redis, a round trip an event) again.
_seal_due = [0.0]


def seal_pending(batch_size: int = SEAL_BATCH) -> int:
    """Seal every unsealed event into the chain, oldest first. Returns how many were sealed."""
    sealed = 0
    while True:
        with transaction.atomic():
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
            pending = list(AuditEvent._base_manager.filter(seq__isnull=True).order_by("id")[:batch_size])
            if not pending:
                return sealed
            seq, prev_hash = head.seq, head.hash or GENESIS_HASH
            for event in pending:
                seq += 1
                event.seq = seq
                event.prev_hash = prev_hash
                event.hash = event_hash(event, seq, prev_hash)
                prev_hash = event.hash
            _write_seals(pending)
            head.seq, head.hash, head.sealed_at = seq, prev_hash, timezone.now()
            head.save(update_fields=["seq", "hash", "sealed_at"])
            sealed += len(pending)
        if len(pending) < batch_size:
            return sealed


def _write_seals(events: list[AuditEvent]) -> None:
    # One prepared UPDATE run for every event: far cheaper than bulk_update's CASE expressions on both databases.
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608 - constant names
            [(event.seq, event.prev_hash, event.hash, event.pk) for event in events],
        )


def verify_database(chunk_size: int = 5000) -> VerifyReport:
    """Verify the whole sealed chain in the database against the recorded head; count the unsealed tail."""
    head = AuditChainHead.objects.filter(pk=1).first()
    rows = AuditEvent._base_manager.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=chunk_size)
    report = verify_chain(
        rows,
        recorded_head_seq=head.seq if head else 0,
        recorded_head_hash=(head.hash or None) if head else None,
    )
    report.unsealed = AuditEvent._base_manager.filter(seq__isnull=True).count()
    return report
