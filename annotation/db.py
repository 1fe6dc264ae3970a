"""A cursor for the annotator's hot path that uses PostgreSQL prepared statements.

Django's psycopg backend binds parameters on the client and disables prepared statements (so that
transaction-pooling PgBouncers keep working): every statement is parsed and planned again. For the
fixed raw statements of `next` and `submit` planning cost more than executing (the token + roles
lookup: 0.95 ms planning, 0.2 ms execution, measured with EXPLAIN ANALYZE), and PostgreSQL's CPU
was a third of a cycle's. `hot_cursor()` is Django's own cursor wrapper (query logging, error
translation, execute wrappers, health checks all apply) around a server-binding psycopg cursor,
and the connection prepares each of these statements on its second execution. Only cursors made
here are affected: Django's client-binding cursors never prepare.

Behind a PgBouncer in transaction mode, set DB_PREPARED_STATEMENTS=0 (plain cursors again).
Prepared statements live in the PostgreSQL session: a reconnect (after a restart, CONN_MAX_AGE)
starts with none, so nothing needs invalidating.
"""
from __future__ import annotations

from django.conf import settings
from django.db import connection

try:  # psycopg 3 only; psycopg2 (not used by this project) would fall back to plain cursors
    from django.db.backends.postgresql.base import ServerBindingCursor
except ImportError:  # pragma: no cover
    ServerBindingCursor = None

# Prepare on the second execution: once per process the first call stays unprepared, so a
# statement used once (a maintenance command) never costs a PREPARE.
PREPARE_THRESHOLD = 1


def hot_cursor():
    """A Django cursor (use as a context manager) whose statements are prepared per connection."""
    if ServerBindingCursor is None or not getattr(settings, "DB_PREPARED_STATEMENTS", True):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        if raw.prepare_threshold is None:  # Django's default: off for every cursor it creates
            raw.prepare_threshold = PREPARE_THRESHOLD
        return connection._prepare_cursor(ServerBindingCursor(raw))
