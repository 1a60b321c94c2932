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
