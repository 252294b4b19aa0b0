"""On PostgreSQL the site binds query parameters on the server, and psycopg prepares the statements
a connection runs often (settings: DATABASE_SERVER_SIDE_BINDING, DATABASE_PREPARE_THRESHOLD).
A kept connection must survive a migration that adds a column while it serves: Django names every
column it selects, so a prepared statement's result does not change shape.

These run in the PostgreSQL pass of `make test` only.
"""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections

pytestmark = pytest.mark.django_db(transaction=True)

TABLE = "ops_prepared_probe"
QUERY = f"SELECT id, label FROM {TABLE} WHERE id = %s"


@pytest.fixture(autouse=True)
def on_postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("server-side binding is a PostgreSQL setting")


@pytest.fixture
def probe_table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, label text)")
        cursor.execute(f"INSERT INTO {TABLE} VALUES (1, 'one'), (2, 'two')")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def run_probe(times: int) -> list[tuple]:
    rows = []
    with connection.cursor() as cursor:
        for _ in range(times):
            cursor.execute(QUERY, [1])
            rows = cursor.fetchall()
    return rows


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_postgresql_connections_bind_parameters_on_the_server():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 5
    connection.ensure_connection()
    assert not isinstance(connection.connection.cursor(), psycopg.ClientCursor)


def test_a_query_run_often_on_one_connection_is_prepared_once(probe_table):
    assert run_probe(10) == [(1, "one")]
    mine = [statement for statement in prepared_statements() if TABLE in statement]
    assert mine == [f"SELECT id, label FROM {TABLE} WHERE id = $1"]


def test_a_prepared_query_still_runs_after_another_process_adds_a_column(probe_table):
    run_probe(10)
    assert any(TABLE in statement for statement in prepared_statements())
    # What a migration that adds a field does, from another process while this one keeps its connection.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN added integer DEFAULT 0 NOT NULL")
    finally:
        other.close()
    assert run_probe(3) == [(1, "one")]
