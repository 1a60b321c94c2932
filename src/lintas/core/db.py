"""Database helpers shared by the apps: a cursor for statements run on every request, and many rows in one go
(inserted, or updated by key)."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections

__all__ = ["prepared_cursor", "update_rows", "write_rows"]


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


def write_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence], *, method: str, types: Sequence[str] | None = None
) -> None:
    """Insert ``rows`` (database values for ``columns``, in that order) into ``table`` in one go, inside the caller's
    transaction: ``"copy"`` by ``COPY ... FROM STDIN`` (PostgreSQL; binary when given the columns' PostgreSQL type
    names), ``"executemany"`` by one prepared ``INSERT`` run for every row. Bulk ingest and the read trail's audit
    batches write through it."""
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with db.cursor() as cursor:
        if method == "copy":
            options = " (FORMAT BINARY)" if types else ""
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN{options}") as copy:
                if types:
                    copy.set_types(list(types))
                for row in rows:
                    copy.write_row(row)
        elif method == "executemany":
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608
        else:
            raise ValueError(f"unknown method {method!r}")


def update_rows(
    table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence], *, types: Sequence[str]
) -> None:
    """Set ``columns`` of the rows of ``table`` whose ``key`` is the first value of each of ``rows`` (then the new
    values, in ``columns`` order), inside the caller's transaction. ``types``: the PostgreSQL type names of the key
    and the columns.

    PostgreSQL gets one ``UPDATE ... FROM unnest(arrays)`` for all the rows (a join, each row found by its key once);
    other databases one prepared ``UPDATE`` run for every row. Either is far cheaper than a statement per row through
    the ORM, and than ``bulk_update``, whose ``CASE`` of every key is evaluated for every row it touches."""
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            names = [key, *columns]
            arrays = ", ".join(f"%s::{kind}[]" for kind in types)
            assignments = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns)
            cursor.execute(
                f"UPDATE {quote(table)} AS t SET {assignments} "  # noqa: S608 - quoted model names
                f"FROM unnest({arrays}) AS v({', '.join(quote(n) for n in names)}) "
                f"WHERE t.{quote(key)} = v.{quote(key)}",
                [list(values) for values in zip(*rows, strict=True)],
            )
        else:
            assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
            cursor.executemany(
                f"UPDATE {quote(table)} SET {assignments} WHERE {quote(key)} = %s",  # noqa: S608
                [(*row[1:], row[0]) for row in rows],
            )
