"""Live alerts: approval-to-event latency at the receiver's open stream, with 1,000 streams open (decision 0045).

Starts Lintas as ``lintas serve`` runs it (gunicorn with uvicorn workers on ``lintas.asgi``) on a fresh database,
signs in ``--connections`` users spread over the member agencies (sessions with their second factor, as after a real
sign-in) and holds one Server-Sent Events stream open for each, from asyncio sockets in this process that reconnect
like a browser (3 s after a stream ends). Then:

1. ``GET /`` of a signed-in user, sequentially, before the streams open (the floor): p50 and p95;
2. ``--approvals`` approvals of urgent requests (``lintas.assistance.services.transition`` in this process, one
   after the other), each timed from the call to the first event at a liaison officer's stream of the receiving
   agency: p50, p95, max (goal p95 < 1 s); ``GET /`` timed all the while from another thread (pages under load);
3. the server stopped and started again: how long until every stream is open again, and an approval after it.

Runs on the embedded default (SQLite: the LiveEvent table, polled by each worker every 200 ms) and on PostgreSQL
with Redis (pub/sub) when both are reachable (``LINTAS_BENCH_PG_SERVER``, default postgres://postgres@127.0.0.1:5432,
database lintas_bench_alerts, dropped and made anew; Redis at redis://127.0.0.1:6379/3).

    python bench/alerts.py [--connections 1000] [--approvals 200] [--workers 2] [--only sqlite|postgres]

The final line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
DB_NAME = "lintas_bench_alerts"
REDIS_URL = "redis://127.0.0.1:6379/3"
RECONNECT_SECONDS = 3.0  # what the stream's retry: asks a browser for


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def ms(samples: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(samples, 50) * 1000, 1),
        "p95_ms": round(percentile(samples, 95) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1) if samples else None,
        "n": len(samples),
    }


# --- the clients -----------------------------------------------------------------------------------------------------


class Streams:
    """``len(cookies)`` SSE clients on one asyncio loop in a thread; each records when its events arrive."""

    def __init__(self, port: int, cookies: list[str]):
        self.port, self.cookies = port, cookies
        self.events: list[list[float]] = [[] for _ in cookies]
        self.opened = [0] * len(cookies)  # streams opened so far, per client
        self.loop = asyncio.new_event_loop()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(asyncio.gather(*(self._client(i) for i in range(len(self.cookies)))))

    async def _client(self, index: int):
        request = (
            f"GET /live/stream/ HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: text/event-stream\r\n"
            f"Cookie: {self.cookies[index]}\r\n\r\n"
        ).encode()
        await asyncio.sleep(index * 0.002)  # a page load each 2 ms, not all in one instant
        while not self.stopping:
            writer = None
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.write(request)
                status = await reader.readline()
                if b" 200 " not in status:
                    raise OSError(status)
                while (line := await reader.readline()) and not self.stopping:
                    if line.startswith(b"retry:"):
                        self.opened[index] += 1
                    elif line.startswith(b"data: "):
                        self.events[index].append(time.perf_counter())
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                if writer is not None:
                    writer.close()
            await asyncio.sleep(RECONNECT_SECONDS)

    def stop(self):
        self.stopping = True


def page_times(port: int, cookie: str, count: int | None = None, until: threading.Event | None = None) -> list[float]:
    """``GET /`` as the signed-in page user, one after the other."""
    times = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while (count is not None and len(times) < count) or (until is not None and not until.is_set()):
        started = time.perf_counter()
        conn.request("GET", "/", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"GET / answered {response.status}")
        times.append(time.perf_counter() - started)
    conn.close()
    return times


# --- one configuration -----------------------------------------------------------------------------------------------


def configure(kind: str) -> None:
    data_dir = tempfile.mkdtemp(prefix="lintas-bench-alerts-")
    os.environ.update(
        LINTAS_ENV="development",
        LINTAS_DEBUG="0",
        LINTAS_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="lintas.settings",
        LINTAS_LOOKUP_VALUES_PER_HOUR=str(10**9),
        # the server runs this checkout's code, whatever the virtualenv has installed
        PYTHONPATH=os.pathsep.join(filter(None, [os.path.abspath(SRC), os.environ.get("PYTHONPATH")])),
    )
    for name in ("DATABASE_URL", "LINTAS_REDIS_URL", "LINTAS_LIVE_BACKEND"):
        os.environ.pop(name, None)
    if kind == "postgres":
        import psycopg

        server = os.environ.get("LINTAS_BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        os.environ.update(DATABASE_URL=f"{server}/{DB_NAME}", LINTAS_REDIS_URL=REDIS_URL)
    sys.path.insert(0, SRC)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)


def people(connections: int, approvals: int):
    """The sender's drafter and approver, ``connections`` receivers with a session each, a page user, the drafts."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from lintas.accounts.choices import Role
    from lintas.accounts.models import User, UserRole
    from lintas.agencies.models import Agency
    from lintas.assistance import services

    spf = Agency.objects.get(code="spf")
    receivers = list(Agency.objects.filter(is_active=True).exclude(pk=spf.pk).order_by("code"))
    password = make_password("bench-passphrase-long-enough-1")
    drafter = User.objects.create(username="bench.drafter", agency=spf, password=password)
    approver = User.objects.create(username="bench.approver", agency=spf, password=password)
    page_user = User.objects.create(username="bench.page", agency=spf, password=password)
    UserRole.objects.bulk_create(
        [
            UserRole(user=drafter, role=Role.INVESTIGATOR),
            UserRole(user=approver, role=Role.SUPERVISOR),
            UserRole(user=page_user, role=Role.SUPERVISOR),
        ]
    )
    users = User.objects.bulk_create(
        [
            User(username=f"bench.{i}", agency=receivers[i % len(receivers)], password=password)
            for i in range(connections)
        ]
    )
    UserRole.objects.bulk_create(
        [UserRole(user=u, role=Role.LIAISON_OFFICER if i % 2 == 0 else Role.INVESTIGATOR) for i, u in enumerate(users)]
    )
    devices = TOTPDevice.objects.bulk_create(
        [TOTPDevice(user=u, name="bench", confirmed=True) for u in [*users, page_user]]
    )
    now = timezone.now().timestamp()

    def cookie(user, device):
        session = SessionStore()
        session.update(
            {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": settings.AUTHENTICATION_BACKENDS[0],
                "_auth_user_hash": user.get_session_auth_hash(),
                "otp_device_id": device.persistent_id,
                "lintas_last_seen": now + 3600,  # the bench outlasts no idle timeout
                "lintas_started": now,
            }
        )
        session.create()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    cookies = [cookie(u, d) for u, d in zip(users, devices, strict=False)]
    page_cookie = cookie(page_user, devices[-1])
    watcher = {}  # receiving agency id -> the index of one of its liaison officers' streams
    for i, user in enumerate(users):
        if i % 2 == 0:
            watcher.setdefault(user.agency_id, i)
    drafts = []
    for i in range(approvals + 1):
        request = services.draft_request(
            drafter,
            receivers=[receivers[i % len(receivers)]],
            type="stop_payment",
            priority="urgent",
            subject=f"Freeze beneficiary account {i}",
            asked="Stop payment",
        )[0]
        drafts.append(services.transition(drafter, request, "submit", version=request.version))
    return approver, cookies, page_cookie, watcher, drafts


def start_server(port: int, workers: int) -> subprocess.Popen:
    from lintas.core.management.commands.serve import gunicorn_command, serving_environment

    command = gunicorn_command(f"127.0.0.1:{port}", workers)
    command[command.index("--access-logfile") + 1] = os.devnull
    server = subprocess.Popen([*command, "--log-level", "warning"], env=serving_environment(os.environ))
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("the server did not start")
        time.sleep(0.2)


def approve_and_time(approver, request, streams: Streams, watch: int, timeout: float = 5.0) -> float | None:
    from lintas.assistance import services

    seen = len(streams.events[watch])
    started = time.perf_counter()
    services.transition(approver, request, "approve", version=request.version)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if len(streams.events[watch]) > seen:
            return streams.events[watch][seen] - started
        time.sleep(0.002)
    return None


def run(kind: str, connections: int, approvals: int, workers: int) -> dict:
    configure(kind)
    from django.db import connection

    approver, cookies, page_cookie, watcher, drafts = people(connections, approvals)
    connection.close()
    port = 19000 + os.getpid() % 1000
    server = start_server(port, workers)
    result: dict = {"database": kind, "carrier": "redis" if kind == "postgres" else "table", "workers": workers}
    try:
        page_times(port, page_cookie, count=20)  # warm
        result["page_idle"] = ms(page_times(port, page_cookie, count=200))

        streams = Streams(port, cookies)
        opened_at = time.perf_counter()
        streams.start()
        while sum(1 for n in streams.opened if n) < connections:
            if time.perf_counter() - opened_at > 120:
                break
            time.sleep(0.05)
        result["streams_open"] = sum(1 for n in streams.opened if n)
        result["seconds_to_open_all"] = round(time.perf_counter() - opened_at, 2)
        time.sleep(1)

        done = threading.Event()
        under_load: list[float] = []
        pages = threading.Thread(target=lambda: under_load.extend(page_times(port, page_cookie, until=done)))
        pages.start()
        latencies, missed = [], 0
        events_before = sum(len(e) for e in streams.events)
        for request in drafts[:approvals]:
            latency = approve_and_time(approver, request, streams, watcher[request.receiver_agency_id])
            if latency is None:
                missed += 1
            else:
                latencies.append(latency)
            time.sleep(0.02)
        done.set()
        pages.join()
        time.sleep(1)
        result["approval_to_event"] = {**ms(latencies), "missed": missed}
        result["events_delivered"] = sum(len(e) for e in streams.events) - events_before
        result["page_under_load"] = ms(under_load)

        # A restart: every stream must come back by itself, and carry the next approval.
        opened = list(streams.opened)
        stop_started = time.perf_counter()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        result["seconds_to_stop"] = round(time.perf_counter() - stop_started, 2)
        server = start_server(port, workers)
        back_at = time.perf_counter()
        while sum(1 for i, n in enumerate(streams.opened) if n > opened[i]) < connections:
            if time.perf_counter() - back_at > 90:
                break
            time.sleep(0.05)
        result["restart"] = {
            "streams_reopened": sum(1 for i, n in enumerate(streams.opened) if n > opened[i]),
            "seconds_to_reopen_all": round(time.perf_counter() - back_at, 2),
            "seconds_from_stop_to_all_reopened": round(time.perf_counter() - stop_started, 2),
        }
        last = drafts[approvals]
        latency = approve_and_time(approver, last, streams, watcher[last.receiver_agency_id])
        result["restart"]["approval_after_restart_ms"] = None if latency is None else round(latency * 1000, 1)
        streams.stop()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(os.environ["LINTAS_DATA_DIR"], ignore_errors=True)
    return result


def reachable(kind: str) -> bool:
    try:
        if kind == "postgres":
            import psycopg
            import redis

            server = os.environ.get("LINTAS_BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
            psycopg.connect(f"{server}/postgres", connect_timeout=2).close()
            return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
        return True
    except Exception:
        return False


def report(r: dict) -> None:
    a, idle, load = r["approval_to_event"], r["page_idle"], r["page_under_load"]
    print(f"== {r['database']} ({r['carrier']} carrier), {r['workers']} uvicorn workers")
    print(f"  streams open              {r['streams_open']:,} in {r['seconds_to_open_all']} s")
    print(
        f"  approval -> event         p50 {a['p50_ms']} ms  p95 {a['p95_ms']} ms  max {a['max_ms']} ms  "
        f"({a['n']} approvals, {a['missed']} missed; {r['events_delivered']:,} events delivered)"
    )
    print(f"  GET / without streams     p50 {idle['p50_ms']} ms  p95 {idle['p95_ms']} ms  ({idle['n']})")
    print(f"  GET / under the load      p50 {load['p50_ms']} ms  p95 {load['p95_ms']} ms  ({load['n']})")
    rs = r["restart"]
    print(
        f"  restart                   stopped in {r['seconds_to_stop']} s; {rs['streams_reopened']:,} streams "
        f"back {rs['seconds_to_reopen_all']} s after it answered again ({rs['seconds_from_stop_to_all_reopened']} s "
        "after the stop began); next approval -> event "
        f"{rs['approval_after_restart_ms']} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--approvals", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--run", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)  # one configuration
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.connections + 1024)), hard))
    if args.run:
        print(json.dumps(run(args.run, args.connections, args.approvals, args.workers)))
        return
    results = []
    for kind in [args.only] if args.only else ["sqlite", "postgres"]:
        if not reachable(kind):
            print(f"== {kind}: SKIPPED (PostgreSQL or Redis not reachable)")
            continue
        # Each configuration in its own process: Django's settings are read once per process.
        child = subprocess.run(
            [sys.executable, __file__, "--run", kind, *sys.argv[1:]], capture_output=True, text=True, check=False
        )
        if child.returncode != 0:
            print(child.stdout[-2000:], child.stderr[-4000:])
            raise SystemExit(f"the {kind} run failed")
        result = json.loads(child.stdout.strip().splitlines()[-1])
        report(result)
        results.append(result)
    worst = max((r["approval_to_event"]["p95_ms"] for r in results), default=None)
    print(json.dumps({"bench": "alerts", "goal_p95_ms": 1000, "worst_p95_ms": worst, "runs": results}))


if __name__ == "__main__":
    main()
