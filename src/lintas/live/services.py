"""Publishing live signals (decision 0045)."""

from __future__ import annotations

from collections.abc import Iterable

from lintas.live.backends import get_backend

__all__ = ["publish"]


def _ids(values: Iterable) -> list[int]:
    return sorted({int(getattr(v, "pk", v)) for v in values if v is not None})


def publish(users: Iterable = (), agencies: Iterable = (), kind: str = "changed") -> None:
    """Signal ``kind`` to ``users`` and ``agencies`` (ids or objects) when the current transaction commits.

    The signal says only that something changed: the client refetches what it shows through the access-checked
    views, so nothing reaches a stream that its user could not read anyway.
    """
    event = {"k": kind, "u": _ids(users), "a": _ids(agencies)}
    if event["u"] or event["a"]:
        get_backend().publish(event)
