"""The audit hash chain: sealing, verification and tamper detection."""

import datetime as dt
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lintas.audit.chain import GENESIS_HASH, event_hash
from lintas.audit.choices import Action, Outcome
from lintas.audit.models import AuditChainHead, AuditEvent
from lintas.audit.services import record_event, seal_pending, verify_database

pytestmark = pytest.mark.django_db

CHAIN_LENGTH = 1000
TRIALS = 120


def _make_events(n: int) -> None:
    start = timezone.now() - dt.timedelta(days=1)
    actions = list(Action)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                occurred_at=start + dt.timedelta(seconds=i),
                actor_username=f"user{i % 17}",
                actor_agency_code="spf",
                action=actions[i % len(actions)],
                outcome=Outcome.SUCCESS,
                object_type="accounts.user",
                object_id=str(i),
                request_id=f"req-{i:08d}",
                client_ip="192.0.2.1",
                details={"n": i, "note": "ünïcödé ✓"},
            )
            for i in range(n)
        ],
        batch_size=500,
    )


@pytest.fixture
def chain():
    _make_events(CHAIN_LENGTH)
    assert seal_pending(batch_size=300) == CHAIN_LENGTH  # several batches: the chain must continue across them
    report = verify_database()
    assert report.ok and report.checked == CHAIN_LENGTH and report.head_seq == CHAIN_LENGTH
    return report


def _rows():
    return AuditEvent._base_manager


def _alter(k: int, rng: random.Random, recompute: bool) -> None:
    field, value = rng.choice(
        [
            ("action", Action.USER_DISABLED),
            ("actor_username", "mallory"),
            ("object_id", "999999"),
            ("details", {"n": -1}),
            ("occurred_at", timezone.now()),
            ("outcome", Outcome.DENIED),
            ("client_ip", "198.51.100.7"),
        ]
    )
    if _rows().get(seq=k).__dict__.get(field) == value:
        value = "x" if field not in {"occurred_at", "details"} else value
    _rows().filter(seq=k).update(**{field: value})
    if recompute:
        event = _rows().get(seq=k)
        _rows().filter(seq=k).update(hash=event_hash(event, event.seq, event.prev_hash))


def _delete(k: int) -> None:
    _rows().filter(seq=k).delete()


def _shift_up_from(k: int) -> None:
    from django.db.models import F

    _rows().filter(seq__gte=k).update(seq=-(F("seq") + 1))
    _rows().filter(seq__lt=0).update(seq=-F("seq"))


def _insert_at(k: int, forge_hash: bool) -> None:
    _shift_up_from(k)
    prev = _rows().filter(seq=k - 1).first()
    prev_hash = prev.hash if prev else GENESIS_HASH
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_username="mallory",
        action=Action.LOGIN,
        outcome=Outcome.SUCCESS,
        details={"forged": True},
        seq=k,
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event, k, prev_hash) if forge_hash else "f" * 64
    _rows().bulk_create([event])


def test_clean_chain_verifies(chain):
    call_command("audit", "verify")


def test_every_tampering_is_caught_at_the_right_position(chain):
    rng = random.Random(20261125)
    kinds = {"alter": 0, "alter+rehash": 0, "delete": 0, "insert": 0, "insert+rehash": 0}
    for trial in range(TRIALS):
        kind = list(kinds)[trial % len(kinds)]
        k = rng.randint(1, CHAIN_LENGTH)
        with transaction.atomic():
            if kind == "alter":
                _alter(k, rng, recompute=False)
            elif kind == "alter+rehash":
                _alter(k, rng, recompute=True)
            elif kind == "delete":
                _delete(k)
            elif kind == "insert":
                _insert_at(k, forge_hash=False)
            else:
                _insert_at(k, forge_hash=True)
            report = verify_database()
            assert not report.ok, f"{kind} at {k} went unnoticed"
            assert report.first_problem.position == k, (kind, k, report.first_problem)
            transaction.set_rollback(True)
        kinds[kind] += 1
    assert all(count >= 20 for count in kinds.values())
    assert verify_database().ok  # every trial was rolled back


def test_verify_command_names_the_position_and_fails(chain):
    with transaction.atomic():
        _alter(437, random.Random(1), recompute=False)
        with pytest.raises(CommandError, match="position 437"):
            call_command("audit", "verify")
        transaction.set_rollback(True)


def test_events_cut_off_at_the_end_are_caught(chain):
    _rows().filter(seq__gt=CHAIN_LENGTH - 3).delete()
    report = verify_database()
    assert report.first_problem.position == CHAIN_LENGTH - 2
    assert report.first_problem.kind == "deleted"


def test_unsealed_tail_is_reported_not_failed(chain):
    record_event(Action.LOGIN, actor_username="late")
    report = verify_database()
    assert report.ok and report.unsealed == 1 and report.checked == CHAIN_LENGTH
    assert seal_pending() == 1
    report = verify_database()
    assert report.ok and report.unsealed == 0 and report.head_seq == CHAIN_LENGTH + 1
    assert AuditChainHead.objects.get().seq == CHAIN_LENGTH + 1


def test_writing_an_event_takes_no_chain_lock():
    """Writers insert one row and never touch the chain head: the application is not serialised on audit."""
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        record_event(Action.LOGIN, actor_username="someone")
    sql = [q["sql"].upper() for q in queries.captured_queries if q["sql"].upper().startswith(("INSERT", "UPDATE"))]
    assert len(sql) == 1 and "AUDIT_AUDITEVENT" in sql[0]
    assert not any("CHAINHEAD" in q["sql"].upper() for q in queries.captured_queries)


def test_events_cannot_be_changed_or_deleted_through_the_app():
    event = record_event(Action.LOGIN, actor_username="someone")
    event.action = Action.LOGOUT
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.LOGOUT)
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == Action.LOGIN


def test_actor_deletion_keeps_the_event(make_user):
    user = make_user("spf")
    event = record_event(Action.LOGIN, actor=user, target=user)
    seal_pending()
    user.role_assignments.all().delete()
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None and event.actor_username == user.username and event.actor_agency_code == "spf"
    seal_pending()
    assert verify_database().ok  # deleting a user must not look like tampering


def test_an_event_is_stored_as_the_orm_would_store_it(make_user):
    """record_event writes with a prepared INSERT of its own: every column reads back as save() would have written it
    (a JSON details object, an IP address, the time, the actor and agency), and the chain seals it."""
    from lintas.core import context

    user = make_user("knpa")
    details = {"values": 3, "tokens": ["ab" * 32], "text": "ünïcode 한국어", "nested": {"n": None, "ok": True}}
    with context.use_context("req-12345678", "203.0.113.9"):
        event = record_event(Action.LOOKUP, actor=user, target=user, details=details)
    assert event.pk is not None and not event._state.adding
    stored = AuditEvent.objects.get(pk=event.pk)
    for field in AuditEvent._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(event, field.attname), field.name
    assert stored.details == details and stored.client_ip == "203.0.113.9" and stored.request_id == "req-12345678"
    assert stored.agency_id == user.agency_id and stored.actor_agency_code == "knpa"
    assert stored.seq is None and stored.hash == "" and stored.prev_hash == ""
    seal_pending()
    assert verify_database().ok


def test_a_failed_insert_marks_the_transaction_for_rollback(monkeypatch):
    """As save() does: a caller that catches the error cannot go on to commit half of its work."""
    from django.db import DatabaseError

    from lintas.audit import services

    record_event(Action.LOGIN, actor_username="someone")  # the statement is prepared and cached
    sql, fields = services._insert_sql[connection.alias]
    monkeypatch.setitem(
        services._insert_sql, connection.alias, (sql.replace("INSERT INTO", "INSERT INTO nowhere_"), fields)
    )
    with transaction.atomic():
        with pytest.raises(DatabaseError):
            record_event(Action.LOGIN, actor_username="someone")
        assert transaction.get_rollback()  # the savepoint is rolled back on leaving the block


def test_a_burst_of_events_asks_for_one_seal_run(settings, monkeypatch):
    """Events ask for a seal run; while one is due, neither this process nor another asks the cache again."""
    from django.core.cache import cache

    from lintas.audit import services, tasks

    settings.HUEY = {**settings.HUEY, "immediate": False}
    settings.AUDIT_SEAL_DELAY_SECONDS = 30
    scheduled = []
    monkeypatch.setattr(tasks.seal_audit_chain, "schedule", lambda delay: scheduled.append(delay))
    monkeypatch.setattr(services, "_seal_due", [0.0])
    cache.delete(services._SEAL_FLAG)
    for _ in range(5):
        services.request_seal()
    assert scheduled == [30]
    monkeypatch.setattr(services, "_seal_due", [0.0])  # another process: the flag tells it when the run comes
    services.request_seal()
    assert scheduled == [30] and services._seal_due[0] == pytest.approx(cache.get(services._SEAL_FLAG))
    cache.delete(services._SEAL_FLAG)
    monkeypatch.setattr(services, "_seal_due", [0.0])  # the run came and went: the next event asks again
    services.request_seal()
    assert scheduled == [30, 30]
