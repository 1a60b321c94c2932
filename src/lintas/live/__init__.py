"""Live signals: "something changed for you", pushed to the browser within a second (decision 0045).

A signal carries no data, only whom it concerns (users, agencies) and a kind; a client that hears one refetches
through the normal, access-checked views.
"""

__all__ = ["publish"]


def publish(users=(), agencies=(), kind: str = "changed") -> None:
    """Tell ``users`` and every signed-in member of ``agencies`` that something of ``kind`` changed.

    Call it inside the writing transaction: the signal leaves when (and only if) the transaction commits.
    """
    from lintas.live.services import publish as _publish

    _publish(users=users, agencies=agencies, kind=kind)
