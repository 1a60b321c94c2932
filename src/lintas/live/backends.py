"""Carriers of live signals between the process that writes and the processes that hold the streams.

Three, chosen by :func:`get_backend` from the settings (decision 0045):

- Redis pub/sub when ``LINTAS_REDIS_URL`` is set: published after commit, heard by every process of every host.
- PostgreSQL ``NOTIFY`` when the database is PostgreSQL: sent in the writing transaction, delivered by PostgreSQL at
  commit (never for a rolled-back one), heard over one ``LISTEN`` connection per process.
- The ``LiveEvent`` table otherwise (SQLite, the embedded default): written in the transaction, read by each
  process's hub every ~200 ms with one query, pruned after a few minutes.

Each has ``publish(event)`` (inside the transaction) and ``listen(stop, deliver)`` (the hub's thread: calls
``deliver(event)`` for each event until ``stop`` is set). An event is ``{"k": kind, "u": [user ids], "a": [agency
ids]}``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

__all__ = ["LocalBackend", "PostgresNotifyBackend", "RedisBackend", "TableBackend", "get_backend"]

log = logging.getLogger(__name__)

CHANNEL = "lintas_live"
# PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more: a longer list of recipients goes in several.
_PG_PAYLOAD_LIMIT = 7000

Deliver = Callable[[dict], None]


def encode(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"))


def decode(payload: str | bytes) -> dict | None:
    try:
        event = json.loads(payload)
    except (TypeError, ValueError):
        return None
    if not isinstance(event, dict):
        return None
    return {
        "k": str(event.get("k", "changed"))[:32],
        "u": [int(u) for u in event.get("u", []) if isinstance(u, int)],
        "a": [int(a) for a in event.get("a", []) if isinstance(a, int)],
    }


def _split(event: dict, limit: int) -> list[dict]:
    """``event`` as one or more events whose encodings stay under ``limit`` bytes."""
    if len(encode(event)) < limit:
        return [event]
    parts, chunk = [], 500
    for key in ("u", "a"):
        ids = event[key]
        for start in range(0, len(ids), chunk):
            parts.append({"k": event["k"], "u": [], "a": [], key: ids[start : start + chunk]})
    return parts


class TableBackend:
    """The portable carrier: a ``LiveEvent`` row per signal, read by each process every ``interval`` seconds."""

    name = "table"
    interval = 0.2
    keep_seconds = 300
    prune_every = 60.0

    def publish(self, event: dict) -> None:
        from lintas.live.models import LiveEvent

        LiveEvent.objects.create(kind=event["k"], users=event["u"], agencies=event["a"])

    def latest_id(self) -> int:
        from lintas.live.models import LiveEvent

        return LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def read_after(self, last_id: int, limit: int = 1000) -> list[tuple[int, dict]]:
        """The events written after ``last_id``, oldest first (ids grow in commit order: SQLite has one writer)."""
        from lintas.live.models import LiveEvent

        rows = LiveEvent.objects.filter(id__gt=last_id).order_by("id").values_list("id", "kind", "users", "agencies")
        return [(pk, {"k": kind, "u": users, "a": agencies}) for pk, kind, users, agencies in rows[:limit]]

    def prune(self) -> int:
        from lintas.live.models import LiveEvent

        cutoff = timezone.now() - timezone.timedelta(seconds=self.keep_seconds)
        return LiveEvent.objects.filter(created_at__lt=cutoff).delete()[0]

    def listen(self, stop: threading.Event, deliver: Deliver) -> None:
        last_id, pruned = None, time.monotonic()
        while not stop.is_set():
            try:
                if last_id is None:
                    last_id = self.latest_id()  # what was written before this process listened is not news
                for pk, event in self.read_after(last_id):
                    last_id = pk
                    deliver(event)
                if time.monotonic() - pruned > self.prune_every:
                    pruned = time.monotonic()
                    self.prune()
            except Exception:  # a locked or restarting database: try again, never let the hub die
                log.warning("live: reading live events failed", exc_info=True)
                stop.wait(2)
            finally:
                close_old_connections()
            stop.wait(self.interval)


class PostgresNotifyBackend:
    """PostgreSQL's ``NOTIFY``: sent in the writing transaction, delivered by the server at commit."""

    name = "postgres"

    def publish(self, event: dict) -> None:
        with connection.cursor() as cursor:
            for part in _split(event, _PG_PAYLOAD_LIMIT):
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, encode(part)])

    @staticmethod
    def _connect():
        import psycopg

        db = settings.DATABASES["default"]
        params = {
            "dbname": db.get("NAME") or "postgres",
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
        }
        # TLS and timeouts as the application's own connections have them
        options = db.get("OPTIONS", {})
        params.update(
            {k: options[k] for k in ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout") if k in options}
        )
        return psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if v})

    def listen(self, stop: threading.Event, deliver: Deliver) -> None:
        while not stop.is_set():
            try:
                with self._connect() as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            event = decode(note.payload)
                            if event is not None:
                                deliver(event)
            except Exception:
                log.warning("live: the PostgreSQL LISTEN connection failed; reconnecting", exc_info=True)
                stop.wait(2)


class RedisBackend:
    """Redis pub/sub: published after commit (Redis knows no transaction of ours), heard by every host."""

    name = "redis"
    _clients: dict = {}  # one connection pool per URL and process
    _lock = threading.Lock()

    def __init__(self, url: str):
        self.url = url

    def client(self):
        with self._lock:
            if self.url not in self._clients:
                import redis

                self._clients[self.url] = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)
            return self._clients[self.url]

    def publish(self, event: dict) -> None:
        payload = encode(event)

        def send():
            try:
                self.client().publish(CHANNEL, payload)
            except Exception:  # a signal is a hint: the page still refetches on reconnect or by polling
                log.warning("live: publishing to Redis failed", exc_info=True)

        transaction.on_commit(send)

    def listen(self, stop: threading.Event, deliver: Deliver) -> None:
        import redis

        while not stop.is_set():
            try:
                client = redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                while not stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        event = decode(message["data"])
                        if event is not None:
                            deliver(event)
                pubsub.close()
            except Exception:
                log.warning("live: the Redis subscription failed; reconnecting", exc_info=True)
                stop.wait(2)


class LocalBackend:
    """This process only: the hub hears what this process commits. For tests (the test server runs in the test's
    process) and nothing else: another process's writes would go unheard."""

    name = "local"

    def publish(self, event: dict) -> None:
        from lintas.live.hub import get_hub

        transaction.on_commit(lambda: get_hub().dispatch(event))

    def listen(self, stop: threading.Event, deliver: Deliver) -> None:
        stop.wait()


def get_backend():
    """The carrier the settings choose: ``LINTAS_LIVE_BACKEND`` if set, else Redis, PostgreSQL or the table."""
    choice = getattr(settings, "LIVE_BACKEND", "") or ""
    if choice == "local":
        return LocalBackend()
    if choice == "redis" or (not choice and settings.REDIS_URL):
        return RedisBackend(settings.REDIS_URL)
    if choice == "postgres" or (not choice and connection.vendor == "postgresql"):
        return PostgresNotifyBackend()
    return TableBackend()
