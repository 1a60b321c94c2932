"""The per-process hub: one thread hears the carrier and hands each signal to the streams it concerns.

A stream subscribes with its user's id and agency id and a way to be woken: an asyncio queue on the server's loop
(the ASGI stream, woken with ``loop.call_soon_threadsafe``) or a ``queue.Queue`` (the WSGI stream's thread). One
listening thread and one carrier connection (or one table query every ~200 ms) per process, whatever the number of
streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from dataclasses import dataclass, field

from lintas.live.backends import get_backend

__all__ = ["Hub", "Subscription", "get_hub"]

log = logging.getLogger(__name__)

# A stream that does not keep up gets at most this many signals waiting; more add nothing (it will refetch anyway).
_BACKLOG = 32


@dataclass(eq=False)
class Subscription:
    """One open stream: whose it is and how to wake it."""

    user_id: int
    agency_id: int | None
    loop: asyncio.AbstractEventLoop | None = None
    aqueue: asyncio.Queue | None = None
    tqueue: queue.Queue | None = field(default=None)

    def wake(self, kind: str | None) -> None:
        """Hand ``kind`` (None: the hub is stopping) to the stream, from any thread."""
        if self.loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed: its stream is gone
                self.loop.call_soon_threadsafe(self._put_async, kind)
        elif self.tqueue is not None:
            with contextlib.suppress(queue.Full):
                self.tqueue.put_nowait(kind)

    def _put_async(self, kind):
        with contextlib.suppress(asyncio.QueueFull):
            self.aqueue.put_nowait(kind)

    @classmethod
    def for_asyncio(cls, user_id: int, agency_id: int | None) -> Subscription:
        return cls(user_id, agency_id, loop=asyncio.get_running_loop(), aqueue=asyncio.Queue(_BACKLOG))

    @classmethod
    def for_thread(cls, user_id: int, agency_id: int | None) -> Subscription:
        return cls(user_id, agency_id, tqueue=queue.Queue(_BACKLOG))


class Hub:
    """Subscriptions by user and by agency, fed by one listening thread started on the first subscription."""

    def __init__(self, backend=None):
        self._backend = backend
        self._lock = threading.Lock()
        self._by_user: dict[int, set[Subscription]] = {}
        self._by_agency: dict[int, set[Subscription]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def subscribe(self, subscription: Subscription) -> Subscription:
        with self._lock:
            self._by_user.setdefault(subscription.user_id, set()).add(subscription)
            if subscription.agency_id is not None:
                self._by_agency.setdefault(subscription.agency_id, set()).add(subscription)
            if not self._stop.is_set() and (self._thread is None or not self._thread.is_alive()):
                self._start()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            for index, key in ((self._by_user, subscription.user_id), (self._by_agency, subscription.agency_id)):
                subs = index.get(key)
                if subs is not None:
                    subs.discard(subscription)
                    if not subs:
                        del index[key]

    def count(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._by_user.values())

    def dispatch(self, event: dict) -> int:
        """Wake every stream ``event`` concerns (each once); returns how many."""
        kind = event.get("k", "changed")
        with self._lock:
            targets: set[Subscription] = set()
            for user_id in event.get("u", ()):
                targets.update(self._by_user.get(user_id, ()))
            for agency_id in event.get("a", ()):
                targets.update(self._by_agency.get(agency_id, ()))
        for subscription in targets:
            subscription.wake(kind)
        return len(targets)

    def _start(self) -> None:
        backend = self._backend or get_backend()
        self._thread = threading.Thread(
            target=self._run, args=(backend,), name=f"lintas-live-{backend.name}", daemon=True
        )
        self._thread.start()

    def _run(self, backend) -> None:
        try:
            backend.listen(self._stop, self.dispatch)
        except Exception:
            log.exception("live: the hub's listener stopped")

    def stop(self, wait: bool = True) -> None:
        """Stop listening and end every stream, for good: the process is shutting down (new streams are refused).
        ``wait``: for the listening thread to end (up to 3 s)."""
        self._stop.set()
        with self._lock:
            everyone = {s for subs in self._by_user.values() for s in subs}
        for subscription in everyone:
            subscription.wake(None)
        if wait and self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()


_hub: Hub | None = None
_hub_lock = threading.Lock()


def get_hub() -> Hub:
    """This process's hub (a forked worker makes its own: a thread does not survive a fork)."""
    global _hub
    with _hub_lock:
        if _hub is None:
            _hub = Hub()
        return _hub
