"""Who and where an action comes from, for the audit trail.

The request middleware sets these for a web request; jobs and management commands set them with ``use_context``
so that their audit events carry a request id too (``job:<id>`` or ``cli:<command>``).
"""

import contextlib
import contextvars
import uuid
from collections.abc import Iterator

__all__ = ["client_ip", "new_request_id", "request_id", "use_context"]

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("lintas_request_id", default="")
_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("lintas_client_ip", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id() -> str:
    return _request_id.get()


def client_ip() -> str | None:
    return _client_ip.get()


@contextlib.contextmanager
def use_context(request_id: str, client_ip: str | None = None) -> Iterator[None]:
    rid_token = _request_id.set(request_id)
    ip_token = _client_ip.set(client_ip)
    try:
        yield
    finally:
        _request_id.reset(rid_token)
        _client_ip.reset(ip_token)
