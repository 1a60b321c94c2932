"""Database helpers shared by the apps: a cursor for statements run on every request."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

__all__ = ["prepared_cursor"]


@contextmanager
def prepared_cursor() -> Iterator:
    """A cursor whose statements PostgreSQL parses and plans once per connection, then only executes.

    For the few statements every request runs (the token check, a single-value lookup's two queries, the audit
    insert): planning the lookup's query took longer than running it. On PostgreSQL (with ``prepare_threshold`` set,
    see settings) a server-side binding cursor, which psycopg prepares on first use and reuses by SQL text; elsewhere,
    or with preparing off, Django's own cursor. Either way it is wrapped by Django, so execute wrappers and error
    translation apply as usual.

    Use it for statements of a fixed shape only: a prepared statement may get a generic plan after five runs, which
    suits "one value" and not "a thousand values" (those keep Django's cursor and a plan of their own each time).
    One array parameter of any length is a fixed shape where the best plan is the same for any length: matching's
    token search, an index probe per token (``engine._rows_carrying``).
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the ``connection`` proxy is a context-local lookup
    # Where queries are logged (DEBUG, or a test capturing them) Django's cursor: its log reads the SQL a client-side
    # binding cursor composed, which a prepared statement does not have.
    if db.vendor != "postgresql" or db.settings_dict["OPTIONS"].get("prepare_threshold") is None or db.queries_logged:
        with db.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = ServerBindingCursor(db.connection)
    with db.make_cursor(raw) as cursor:
        yield cursor
