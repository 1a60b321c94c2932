"""The event stream ``/live/stream/``: Server-Sent Events carrying signals, never data (decision 0045).

Served two ways with the same rules and framing:

- :func:`asgi_stream`, a raw ASGI app routed by ``lintas.asgi`` before Django: no thread is held per connection
  (the session check runs in a small bounded pool; the wait is a coroutine), so a thousand open streams cost a
  thousand sockets and queues;
- ``lintas.live.views.stream`` under WSGI (the test server, ``runserver``): a generator on the request's thread.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import CookieError, SimpleCookie
from importlib import import_module

from django.conf import settings
from django.db import connection

from lintas.live.hub import Subscription, get_hub

__all__ = ["asgi_stream", "session_identity", "sse_event", "sse_preamble"]

# Session checks of new streams, off the event loop; a burst of reconnections waits its turn here.
_AUTH_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lintas-live-auth")


def sse_preamble() -> bytes:
    """How long the browser waits before reconnecting, and a first comment so proxies pass the headers on."""
    return f"retry: {settings.LIVE_RETRY_MS}\n: connected\n\n".encode()


def sse_event(kind: str) -> bytes:
    return f"data: {kind}\n\n".encode()


HEARTBEAT = b": heartbeat\n\n"

STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),  # nginx: pass each event on at once
    (b"x-content-type-options", b"nosniff"),
]


def session_identity(session_key: str | None) -> tuple[int, int | None] | None:
    """``(user id, agency id)`` of a session that may read pages now, else None.

    The pages' rules: the session exists and is unexpired, its user's password hash still matches (changing the
    password ends other sessions), the user is active, the second factor was given where required, and neither the
    idle timeout nor the maximum age has passed. Reading it changes nothing: a stream is not activity.
    """
    if not session_key:
        return None
    from django.contrib.auth import get_user
    from django.http import HttpRequest
    from django.utils import timezone
    from django_otp.middleware import OTPMiddleware

    from lintas.accounts import mfa
    from lintas.accounts.middleware import _LAST_SEEN, _STARTED

    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    request.user = get_user(request)
    if not request.user.is_authenticated or not request.user.is_active:
        return None
    OTPMiddleware(lambda r: r)(request)  # installs user.is_verified from the session's device
    user = request.user
    if not mfa.session_is_complete(user):
        return None
    now = timezone.now().timestamp()
    last_seen, started = request.session.get(_LAST_SEEN), request.session.get(_STARTED)
    if last_seen is None or now - last_seen > settings.IDLE_TIMEOUT_MINUTES * 60:
        return None
    if started is not None and now - started > settings.SESSION_COOKIE_AGE:
        return None
    return user.pk, user.agency_id


def _identify_on_pool(session_key: str | None) -> tuple[int, int | None] | None:
    """:func:`session_identity` on a pool thread. Its connection is closed after each check: a pool thread would
    otherwise hold one open between reconnections for nothing (a check costs one connection, a few ms)."""
    try:
        return session_identity(session_key)
    finally:
        connection.close()


def _session_key(scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            try:
                cookie = SimpleCookie(value.decode("latin-1"))
            except CookieError:
                return None
            morsel = cookie.get(settings.SESSION_COOKIE_NAME)
            return morsel.value if morsel else None
    return None


async def _refuse(send, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": b""})


async def asgi_stream(scope, receive, send) -> None:
    """The stream as a raw ASGI app: 403 without a complete session, else signals until ~5 minutes have passed."""
    if scope.get("method") not in {"GET", "HEAD"}:
        await _refuse(send, 405)
        return
    hub = get_hub()
    loop = asyncio.get_running_loop()
    identity = await loop.run_in_executor(_AUTH_POOL, _identify_on_pool, _session_key(scope))
    if identity is None or hub.stopping:
        await _refuse(send, 403 if identity is None else 204)
        return
    subscription = hub.subscribe(Subscription.for_asyncio(*identity))
    disconnected = asyncio.ensure_future(_wait_disconnect(receive))
    try:
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
        await send({"type": "http.response.body", "body": sse_preamble(), "more_body": True})
        deadline = loop.time() + settings.LIVE_STREAM_SECONDS
        while not disconnected.done():
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            signal = asyncio.ensure_future(subscription.aqueue.get())
            done, _ = await asyncio.wait(
                {signal, disconnected},
                timeout=min(settings.LIVE_HEARTBEAT_SECONDS, remaining),
                return_when=asyncio.FIRST_COMPLETED,
            )
            if signal not in done:
                signal.cancel()
                if not done:
                    await send({"type": "http.response.body", "body": HEARTBEAT, "more_body": True})
                continue
            kind = signal.result()
            if kind is None:  # the server is stopping
                break
            await send({"type": "http.response.body", "body": sse_event(kind), "more_body": True})
        if not disconnected.done():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:  # the client went away mid-write
        pass
    finally:
        hub.unsubscribe(subscription)
        disconnected.cancel()


async def _wait_disconnect(receive) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


def thread_stream(user_id: int, agency_id: int | None):
    """The same stream as a generator for WSGI: one thread per connection, ended by a failed write or the age."""
    hub = get_hub()
    subscription = hub.subscribe(Subscription.for_thread(user_id, agency_id))
    import queue

    try:
        yield sse_preamble()
        deadline = time.monotonic() + settings.LIVE_STREAM_SECONDS
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                kind = subscription.tqueue.get(timeout=min(settings.LIVE_HEARTBEAT_SECONDS, remaining))
            except queue.Empty:
                yield HEARTBEAT
                continue
            if kind is None:
                return
            yield sse_event(kind)
    finally:
        hub.unsubscribe(subscription)
