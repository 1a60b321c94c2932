"""Lintas as ASGI, as ``lintas serve`` runs it (gunicorn with uvicorn workers, decision 0045).

``/live/stream/`` goes to a small raw ASGI app (``lintas.live.streams.asgi_stream``) that holds no thread per open
stream; everything else goes to Django's ASGI handler, which runs the same views and middleware as under WSGI.
"""

import gc
import os

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
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            get_hub().stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


# As in lintas.wsgi: what each worker loaded stays out of the cyclic collector's way.
gc.freeze()
