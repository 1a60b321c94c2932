"""Publishing and hearing signals: the table (SQLite's default), PostgreSQL's NOTIFY, Redis, and the hub."""

import queue
import threading
import time

import pytest
from django.db import connection, transaction

from lintas import live
from lintas.live import backends
from lintas.live.backends import PostgresNotifyBackend, RedisBackend, TableBackend, get_backend
from lintas.live.hub import Hub, Subscription
from lintas.live.models import LiveEvent

REDIS_URL = "redis://127.0.0.1:6379/3"


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.mark.django_db
def test_the_settings_choose_the_carrier(settings):
    settings.LIVE_BACKEND, settings.REDIS_URL = "", ""
    expected = PostgresNotifyBackend if connection.vendor == "postgresql" else TableBackend
    assert isinstance(get_backend(), expected)
    settings.REDIS_URL = REDIS_URL
    assert isinstance(get_backend(), RedisBackend)
    settings.LIVE_BACKEND = "table"
    assert isinstance(get_backend(), TableBackend)


@pytest.mark.django_db
def test_table_carrier_is_written_in_the_transaction_read_in_order_and_pruned(settings):
    settings.LIVE_BACKEND = "table"
    table = TableBackend()
    start = table.latest_id()
    with transaction.atomic():
        live.publish(users=[7, 7, 3], kind="notification")
        live.publish(agencies=[2], kind="requests")
    try:
        with transaction.atomic():
            live.publish(users=[99], kind="notification")
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    live.publish(kind="nothing")  # nobody to tell: nothing written
    events = [event for _, event in table.read_after(start)]
    assert events == [{"k": "notification", "u": [3, 7], "a": []}, {"k": "requests", "u": [], "a": [2]}]
    LiveEvent.objects.update(created_at=LiveEvent.objects.first().created_at - backends.timezone.timedelta(hours=1))
    assert table.prune() == 2 and LiveEvent.objects.count() == 0


@pytest.mark.django_db
def test_table_listener_delivers_what_was_written_after_it_started():
    heard, stop = [], threading.Event()
    table = TableBackend()
    table.interval = 0.01
    seen_before = table.latest_id()
    table.publish({"k": "requests", "u": [], "a": [5]})

    class FromStart(TableBackend):
        interval = 0.01

        def latest_id(self):
            return seen_before

    def deliver(event):
        heard.append(event)
        stop.set()

    FromStart().listen(stop, deliver)  # same thread: the test's transaction is visible
    assert heard == [{"k": "requests", "u": [], "a": [5]}]


def test_hub_wakes_only_the_streams_an_event_concerns():
    hub = Hub(backend=backends.LocalBackend())
    mine = hub.subscribe(Subscription.for_thread(1, 10))
    colleague = hub.subscribe(Subscription.for_thread(2, 10))
    other = hub.subscribe(Subscription.for_thread(3, 20))
    assert hub.dispatch({"k": "notification", "u": [1], "a": []}) == 1
    assert hub.dispatch({"k": "requests", "u": [1], "a": [10]}) == 2  # the user once, though named twice
    assert [mine.tqueue.get_nowait(), mine.tqueue.get_nowait()] == ["notification", "requests"]
    assert colleague.tqueue.get_nowait() == "requests"
    assert other.tqueue.empty()
    hub.unsubscribe(colleague)
    assert hub.dispatch({"k": "requests", "u": [], "a": [10]}) == 1 and hub.count() == 2
    hub.stop()
    assert mine.tqueue.get_nowait() == "requests" and mine.tqueue.get_nowait() is None  # stopping ends streams


def test_a_large_recipient_list_is_split_under_postgresqls_payload_limit():
    event = {"k": "requests", "u": list(range(100_000, 103_000)), "a": [1]}
    parts = backends._split(event, backends._PG_PAYLOAD_LIMIT)
    assert len(parts) > 1 and all(len(backends.encode(p)) < 8000 for p in parts)
    assert sorted(u for p in parts for u in p["u"]) == event["u"] and [a for p in parts for a in p["a"]] == [1]


def _listen(backend):
    heard, stop = queue.Queue(), threading.Event()
    thread = threading.Thread(target=backend.listen, args=(stop, heard.put), daemon=True)
    thread.start()
    return heard, stop, thread


def _wait_for_listener(backend, heard):
    """Publish probes until the listener hears one (its LISTEN or SUBSCRIBE takes a moment)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with transaction.atomic():
            backend.publish({"k": "probe", "u": [1], "a": []})
        try:
            if heard.get(timeout=0.3)["k"] == "probe":
                break
        except queue.Empty:
            continue
    while not heard.empty():
        heard.get_nowait()


@pytest.mark.postgres
@pytest.mark.serial
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's NOTIFY")
def test_postgresql_notify_arrives_at_commit_and_never_for_a_rollback():
    backend = PostgresNotifyBackend()
    heard, stop, thread = _listen(backend)
    try:
        _wait_for_listener(backend, heard)
        try:
            with transaction.atomic():
                backend.publish({"k": "requests", "u": [], "a": [66]})
                raise RuntimeError
        except RuntimeError:
            pass
        with transaction.atomic():
            backend.publish({"k": "requests", "u": [], "a": [5]})
            time.sleep(0.3)
            assert heard.empty()  # not before commit
        started = time.monotonic()
        assert heard.get(timeout=2) == {"k": "requests", "u": [], "a": [5]}
        assert time.monotonic() - started < 1
        assert heard.empty()
    finally:
        stop.set()
        thread.join(5)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.serial
@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not reachable at 127.0.0.1:6379")
def test_redis_publishes_after_commit_and_never_for_a_rollback():
    backend = RedisBackend(REDIS_URL)
    heard, stop, thread = _listen(backend)
    try:
        _wait_for_listener(backend, heard)
        try:
            with transaction.atomic():
                backend.publish({"k": "notification", "u": [66], "a": []})
                raise RuntimeError
        except RuntimeError:
            pass
        with transaction.atomic():
            backend.publish({"k": "notification", "u": [4], "a": []})
            time.sleep(0.3)
            assert heard.empty()
        assert heard.get(timeout=2) == {"k": "notification", "u": [4], "a": []}
        assert heard.empty()
    finally:
        stop.set()
        thread.join(5)
