"""Worker processes started afresh ("spawn"), for work that a thread of a long-running process hands out.

Forking copies the parent as it is, locks held by its other threads included: safe for a command line, not for a job
worker's thread or a web worker. A spawned process starts a new interpreter instead, so it must set Django up before
it can unpickle anything that names a model.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

__all__ = ["SpawnedCalls"]


class SpawnedCalls:
    """Calls for a ``multiprocessing.get_context("spawn").Pool``, in processes set up on their first call: Django,
    then ``initializer(*initargs)``.

    The set-up runs inside a call, not as the pool's ``initializer``: one that fails then fails that call, and the
    parent gets the error from the result (a failing pool initializer makes the pool start process after process,
    and the caller waits for ever). Functions and arguments travel pickled inside bytes, which a process can receive
    before Django is set up.
    """

    def __init__(self, initializer: Callable[..., Any], *initargs: Any) -> None:
        self._setup = pickle.dumps((initializer, initargs), protocol=pickle.HIGHEST_PROTOCOL)

    def call(self, func: Callable[..., Any], *args: Any) -> tuple[Callable[[bytes, bytes], Any], tuple[bytes, bytes]]:
        """``(function, args)`` for ``pool.apply_async``: runs ``func(*args)`` in a set-up process."""
        return _run, (self._setup, pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL))


_ready = False


def _run(setup: bytes, task: bytes) -> Any:
    global _ready
    if not _ready:
        import django

        django.setup()  # DJANGO_SETTINGS_MODULE and the rest of the environment come from the parent
        initializer, initargs = pickle.loads(setup)  # noqa: S301 - pickled by the parent process, never by others
        initializer(*initargs)
        _ready = True
    func, args = pickle.loads(task)  # noqa: S301 - as above
    return func(*args)
