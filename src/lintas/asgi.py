"""Lintas as ASGI, as ``lintas serve`` runs it (gunicorn with uvicorn workers, decision 0045).

``/live/stream/`` goes to a small raw ASGI app (``lintas.live.streams.asgi_stream``) that holds no thread per open
stream; everything else goes to Django's ASGI handler, which runs the same views and middleware as under WSGI.
"""

import asyncio
import gc
import os
import signal
import threading

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lintas.settings")

django_application = get_asgi_application()

from lintas.live.hub import get_hub  # noqa: E402  (after Django is set up)
from lintas.live.streams import asgi_stream  # noqa: E402

STREAM_PATH = "/live/stream/"


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == STREAM_PATH:
        await asgi_stream(scope, receive, send)
    elif scope["type"] == "lifespan":
        await _lifespan(receive, send)
    else:
        await django_application(scope, receive, send)


async def _lifespan(receive, send):
    """Django's handler knows no lifespan; on shutdown the hub stops and every open stream ends."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            _end_streams_on_sigterm(asyncio.get_running_loop())
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            get_hub().stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


def _end_streams_on_sigterm(loop) -> None:
    """The server waits for open responses before it stops (and gunicorn kills it after its graceful timeout, 10 s):
    on SIGTERM end the streams first, so a restart takes as long as the pages' own requests. The server's handler
    (installed before the lifespan starts) is then called as before. The hub is stopped from the loop, not from the
    signal handler, which may have interrupted code holding the hub's lock."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum, frame):
        loop.call_soon_threadsafe(get_hub().stop, False)
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)


# As in lintas.wsgi: what each worker loaded stays out of the cyclic collector's way.
gc.freeze()
