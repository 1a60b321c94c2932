"""The trail of reads: lookups written behind the request, a few at a time, by a writer in each process.

A write is audited in its own transaction (``record_event``), so the event and the change stand or fall together. A
read changes nothing: its event needs no transaction to share, only to be kept. Written at once, it made every
single-value API lookup an INSERT, a commit and a WAL flush of its own: about 30 % of the CPU the web worker and the
database spent on the request (measured in alternating runs of ``bench/lookup.py``'s load). So the request hands
the finished event to its process's ``ReadTrail``, and a thread of that process inserts what has gathered every
``AUDIT_READ_FLUSH_SECONDS`` (default 0.05 s) in one transaction.

What it guarantees (decision 0025):

- Nothing is dropped. If the database refuses a batch, its events stay, in order, for the next round; past
  ``MAX_PENDING`` held events the reading request writes them itself before it answers (it waits, it never sheds).
- A process that ends (gunicorn's restart or worker timeout, the end of a command) writes what it holds first
  (``atexit``).
- A process killed outright (SIGKILL, out of memory, power loss) loses at most the reads of its last interval, as
  PostgreSQL's own ``synchronous_commit = off`` would. Writes are never buffered.

``AUDIT_READ_FLUSH_SECONDS = 0`` writes every read at once (the tests' setting: an event is there when the call
returns).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from typing import TYPE_CHECKING

from django.db import connection, transaction

if TYPE_CHECKING:
    from lintas.audit.models import AuditEvent

__all__ = ["MAX_PENDING", "ReadTrail", "trail"]

logger = logging.getLogger(__name__)

# Held events past which the reading request writes them itself: at 1,000 lookups a second, 5 s of a stalled database.
MAX_PENDING = 5000
_RETRY_SECONDS = 1.0  # after a failed write, before the writer tries again


class ReadTrail:
    """The events of reads not yet written, and the thread that writes them, for one process.

    A forked process (each gunicorn worker) starts afresh: the parent's held events are the parent's to write, and
    the writer thread is not inherited by ``fork``, so the first read in the child starts its own.
    """

    def __init__(self, interval: float | None = None):
        self.interval = interval  # seconds between writes; None: settings.AUDIT_READ_FLUSH_SECONDS
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._held: list[AuditEvent] = []
        self._lock = threading.Lock()  # guards _held
        self._writing = threading.Lock()  # one batch at a time, so events are written in the order they came
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._exit_registered = False

    def add(self, event: AuditEvent) -> None:
        """Hold ``event`` for the writer; write the held events now if too many wait."""
        if self._pid != os.getpid():
            self._reset()
        if self._thread is None or not self._thread.is_alive():
            self._start()
        with self._lock:
            self._held.append(event)
            backlog = len(self._held) >= MAX_PENDING
        if backlog:
            self.flush()

    def pending(self) -> int:
        if self._pid != os.getpid():  # before the lock: a parent's lock may have been held when it forked
            return 0
        with self._lock:
            return len(self._held)

    def flush(self) -> int:
        """Write the held events in one transaction and return how many; on failure keep them and raise."""
        from lintas.audit.services import insert_events, request_seal

        if self._pid != os.getpid():
            return 0
        with self._writing:
            with self._lock:
                batch, self._held = self._held, []
            if not batch:
                return 0
            try:
                with transaction.atomic():
                    insert_events(batch)
            except BaseException:
                with self._lock:
                    self._held[:0] = batch  # back at the front, in their order, for the next round
                raise
        request_seal()
        return len(batch)

    def _start(self) -> None:
        """Start the writer thread: at the process's first read, or again if it ended (``stop``, or a crash)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="lintas-read-trail", daemon=True)
            self._thread.start()
            register, self._exit_registered = not self._exit_registered, True
        if register:
            atexit.register(self._write_at_exit, os.getpid())

    def _run(self) -> None:
        from django.conf import settings

        interval = self.interval if self.interval is not None else settings.AUDIT_READ_FLUSH_SECONDS
        while not self._stopping.wait(interval):
            try:
                self.flush()
            except Exception:
                logger.exception("could not write %d read audit events; they are kept and retried", self.pending())
                connection.close()  # this thread's own connection: the next round opens a fresh one
                self._stopping.wait(_RETRY_SECONDS)
        connection.close()

    def stop(self) -> None:
        """Write what is held and end the writer thread (closing its connection)."""
        self._stopping.set()
        if self._thread is not None and self._pid == os.getpid():
            self._thread.join(timeout=10)
        self.flush()

    def _write_at_exit(self, pid: int) -> None:
        if pid != os.getpid():  # registered by the parent before a fork: not this process's events
            return
        try:
            self.flush()
        except Exception:
            logger.exception("%d read audit events could not be written before exit", self.pending())


trail = ReadTrail()  # this process's; ``record_read`` hands it the events
