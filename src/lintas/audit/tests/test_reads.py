"""The trail of reads: lookups' events held by their process and written in batches, none dropped."""

import os
import time

import pytest
from django.db import DatabaseError, connection

from lintas.audit import reads, services
from lintas.audit.choices import Action, Outcome
from lintas.audit.models import AuditEvent
from lintas.audit.services import insert_events, record_read, seal_pending, verify_database
from lintas.core import context

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(monkeypatch, settings):
    """A trail of its own whose thread sleeps through the test: the test writes with ``flush``."""
    settings.AUDIT_READ_FLUSH_SECONDS = 0.05
    own = reads.ReadTrail(interval=3600)
    monkeypatch.setattr(reads, "trail", own)
    return own


def _read(user, n: int) -> AuditEvent:
    return services._new_event(Action.LOOKUP, user, Outcome.SUCCESS, None, "", "", None, {"values": n}, "")


def _lookups():
    return AuditEvent.objects.filter(action=Action.LOOKUP).order_by("id")


def test_inside_a_transaction_or_with_no_interval_a_read_is_written_at_once(make_user, settings, trail):
    officer = make_user("spf")
    settings.AUDIT_READ_FLUSH_SECONDS = 0
    first = record_read(Action.LOOKUP, actor=officer, details={"values": 1})
    settings.AUDIT_READ_FLUSH_SECONDS = 0.05  # a test runs inside a transaction: the event joins it
    second = record_read(Action.LOOKUP, actor=officer, details={"values": 2})
    assert first.pk and second.pk and trail.pending() == 0
    assert [e.details["values"] for e in _lookups()] == [1, 2]


def test_held_reads_are_written_in_their_order_with_every_field(make_user, trail):
    officer = make_user("spf")
    with context.use_context("req-1", "192.0.2.7"):
        for n in range(3):
            trail.add(_read(officer, n))
    assert trail.pending() == 3 and not _lookups().exists()
    assert trail.flush() == 3 and trail.pending() == 0
    rows = list(_lookups())
    assert [e.details["values"] for e in rows] == [0, 1, 2]
    assert {(e.actor_id, e.actor_username, e.actor_agency_code, e.agency.code) for e in rows} == {
        (officer.pk, officer.username, "spf", "spf")
    }
    assert {(e.request_id, e.client_ip, e.outcome) for e in rows} == {("req-1", "192.0.2.7", Outcome.SUCCESS)}
    seal_pending()  # (the tests' job queue ran the seal the batch asked for already)
    assert all(e.seq for e in _lookups()) and verify_database().ok  # sealed into the chain like any event
    assert trail.flush() == 0


def test_a_refused_batch_is_kept_in_order_for_the_next_round(make_user, trail, monkeypatch):
    officer = make_user("spf")
    for n in range(3):
        trail.add(_read(officer, n))
    real = services.insert_events

    def refuse(events, **options):
        raise DatabaseError("the database is away")

    monkeypatch.setattr(services, "insert_events", refuse)
    with pytest.raises(DatabaseError):
        trail.flush()
    trail.add(_read(officer, 3))  # a read arriving meanwhile goes after the kept ones
    assert trail.pending() == 4 and not _lookups().exists()
    monkeypatch.setattr(services, "insert_events", real)
    assert trail.flush() == 4
    assert [e.details["values"] for e in _lookups()] == [0, 1, 2, 3]


def test_past_the_backlog_limit_the_reader_writes_the_held_reads_itself(make_user, trail, monkeypatch):
    monkeypatch.setattr(reads, "MAX_PENDING", 3)
    officer = make_user("spf")
    trail.add(_read(officer, 0))
    trail.add(_read(officer, 1))
    assert trail.pending() == 2 and not _lookups().exists()
    trail.add(_read(officer, 2))
    assert trail.pending() == 0 and _lookups().count() == 3


def test_a_forked_process_neither_writes_nor_keeps_its_parents_reads(make_user, trail, monkeypatch):
    officer = make_user("spf")
    trail.add(_read(officer, 0))
    child = os.getpid() + 1
    monkeypatch.setattr(os, "getpid", lambda: child)  # as in a child forked after the add
    assert trail.pending() == 0 and trail.flush() == 0
    trail.add(_read(officer, 1))
    assert trail.pending() == 1 and trail.flush() == 1
    assert [e.details["values"] for e in _lookups()] == [1]


def test_a_process_writes_its_held_reads_when_it_exits(make_user, trail):
    officer = make_user("spf")
    trail.add(_read(officer, 0))
    trail._write_at_exit(os.getpid() + 1)  # registered by a parent: not this process's to write
    assert trail.pending() == 1
    trail._write_at_exit(os.getpid())
    assert trail.pending() == 0 and _lookups().count() == 1


@pytest.mark.parametrize("method", ["copy", "executemany"])
def test_insert_events_writes_what_record_event_writes(make_user, method):
    if method == "copy" and connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    officer = make_user("rmp")
    with context.use_context("req-2", "2001:db8::1"):
        saved = services.record_event(Action.LOOKUP, actor=officer, details={"tokens": ["a", "b"], "ü": "✓"})
        event = _read(officer, 0)
        event.details = {"tokens": ["a", "b"], "ü": "✓"}
        assert insert_events([event], method=method) == method
    written = _lookups().exclude(pk=saved.pk).get()
    fields = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname not in {"id", "occurred_at"}]
    assert [getattr(written, name) for name in fields] == [getattr(saved, name) for name in fields]


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lookup_outside_a_transaction_is_written_by_the_process_writer_within_its_interval(make_user, monkeypatch):
    from django.conf import settings

    from lintas.matching import services as matching

    monkeypatch.setattr(settings, "AUDIT_READ_FLUSH_SECONDS", 0.05)
    monkeypatch.setattr(reads, "trail", reads.ReadTrail())
    officer = make_user("spf")
    before = _lookups().count()
    matching.lookup(officer, values=["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"])
    deadline = time.monotonic() + 10
    while _lookups().count() == before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _lookups().count() == before + 1
    assert reads.trail.pending() == 0 and reads.trail._thread.is_alive()
    reads.trail.stop()  # its connection closed, or the test database could not be dropped
    assert not reads.trail._thread.is_alive()


def test_a_writer_that_ended_is_started_again_by_the_next_read(make_user, trail, monkeypatch):
    started = []
    monkeypatch.setattr(reads.atexit, "register", lambda *args: started.append(args))
    officer = make_user("spf")
    trail.add(_read(officer, 0))
    first = trail._thread
    trail._stopping.set()  # the thread ends as after stop() or a crash
    first.join(timeout=5)
    assert not first.is_alive()
    trail.add(_read(officer, 1))
    assert trail._thread is not first and trail._thread.is_alive()
    assert len(started) == 1  # one exit hook per process, however often the writer starts
    assert trail.flush() == 2
