"""prepared_cursor: statements planned once per connection on PostgreSQL, Django's cursor elsewhere."""

import pytest
from django.db import connection

from lintas.core.db import prepared_cursor

pytestmark = pytest.mark.django_db


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_statement_answers_as_with_djangos_cursor():
    sql = "SELECT code, short_name, country FROM agencies_agency WHERE code = %s OR code = %s ORDER BY code"
    with connection.cursor() as cursor:
        cursor.execute(sql, ["spf", "knpa"])
        expected = cursor.fetchall()
    assert len(expected) == 2
    for _ in range(3):
        with prepared_cursor() as cursor:
            cursor.execute(sql, ["spf", "knpa"])
            assert cursor.fetchall() == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_the_statement_is_prepared_once_per_connection():
    sql = "SELECT id FROM agencies_agency WHERE code = %s"
    for code in ("spf", "knpa", "spf"):
        with prepared_cursor() as cursor:
            cursor.execute(sql, [code])
            assert cursor.fetchone()
    prepared = [s for s in _prepared_statements() if "FROM agencies_agency WHERE code = $1" in s]
    assert len(prepared) == 1  # three runs, one statement
    with connection.cursor() as cursor:  # Django's own cursors still bind client-side and prepare nothing
        cursor.execute("SELECT id FROM agencies_agency WHERE short_name = %s", ["SPF"])
    assert not [s for s in _prepared_statements() if "short_name" in s]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_preparing_can_be_turned_off(monkeypatch):
    """LINTAS_DB_PREPARE=0 (prepare_threshold None), e.g. behind an old PgBouncer: Django's cursor, nothing prepared."""
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "prepare_threshold", None)
    with prepared_cursor() as cursor:
        cursor.execute("SELECT id FROM agencies_agency WHERE code = %s AND 1 = 1", ["spf"])
        assert cursor.fetchone()
    assert not [s for s in _prepared_statements() if "1 = 1" in s]


def test_errors_are_djangos():
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), prepared_cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM agencies_agency WHERE code = %s", ["spf"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lintas.core.postgresql is the PostgreSQL backend")
def test_the_health_check_skips_a_connection_used_a_moment_ago(monkeypatch):
    """Django checks a persistent connection with a round trip before a request's first query; ours only when the
    connection has been idle for a second or more (decision 0027)."""
    import time

    from django.db import connections

    from lintas.core.postgresql.base import HEALTH_CHECK_IDLE_SECONDS, DatabaseWrapper

    connection = connections["default"]
    assert isinstance(connection, DatabaseWrapper) and connection.health_check_enabled
    checks: list[bool] = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(True) or True)
    connection.ensure_connection()

    def first_query_of_a_request(idle: float) -> None:
        connection.health_check_done = False  # what Django does when a request starts
        connection.used_at = time.monotonic() - idle
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        with connection.cursor() as cursor:  # a second query of the same request is never checked
            cursor.execute("SELECT 2")

    first_query_of_a_request(idle=0.01)
    assert checks == []
    first_query_of_a_request(idle=HEALTH_CHECK_IDLE_SECONDS + 1)
    assert checks == [True]
    first_query_of_a_request(idle=0.01)  # the check itself counts as use
    assert checks == [True]


def test_update_rows_sets_each_rows_columns_by_key_in_one_statement():
    from django.test.utils import CaptureQueriesContext

    from lintas.agencies.models import Agency
    from lintas.core.db import update_rows

    agencies = list(Agency.objects.order_by("pk").values_list("pk", "short_name")[:3])
    rows = [(pk, f"{name} (new)") for pk, name in agencies[:2]]
    with CaptureQueriesContext(connection) as queries:
        update_rows("agencies_agency", "id", ["short_name"], rows, types=["bigint", "text"])
    # PostgreSQL: one UPDATE joined to the arrays; SQLite: one prepared UPDATE run for each row (one executemany)
    [query] = queries.captured_queries
    assert "UPDATE" in query["sql"]
    assert ("unnest(" in query["sql"]) == (connection.vendor == "postgresql")
    after = dict(Agency.objects.filter(pk__in=[pk for pk, _ in agencies]).values_list("pk", "short_name"))
    assert after == {**dict(rows), agencies[2][0]: agencies[2][1]}  # the third row is untouched
    with CaptureQueriesContext(connection) as queries:
        update_rows("agencies_agency", "id", ["short_name"], [], types=["bigint", "text"])
    assert queries.captured_queries == []  # nothing to do: no statement
