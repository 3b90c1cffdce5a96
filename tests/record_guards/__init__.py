"""Test-only app: lift the database's record guards while a test deliberately tampers with the record or
while the test runner empties the database between transactional tests.

Installed by config.settings.test only. Production has no way around the triggers short of the database
owner's own powers (dropping them, or a superuser's replication role), which `verify_record` backs up.
"""

from contextlib import contextmanager

from django.db import connection, transaction

PREFIX = "record_guard_"


@contextmanager
def guards_lifted(using=connection):
    """Inside: no record guard fires. In one transaction, so a failure leaves the guards as they were.

    PostgreSQL: the replica session role (a superuser's; the test database is made by one) skips ordinary
    triggers without touching the tables, so it works mid-transaction. SQLite: the triggers are dropped and
    re-created from their stored SQL."""
    with transaction.atomic(using=using.alias):
        with using.cursor() as cursor:
            if using.vendor == "postgresql":
                cursor.execute("SHOW session_replication_role")
                previous = cursor.fetchone()[0]
                cursor.execute("SET LOCAL session_replication_role = replica")
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"]
                )
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            with using.cursor() as cursor:
                if using.vendor == "postgresql":
                    cursor.execute(f"SET LOCAL session_replication_role = {previous}")
                else:
                    for _name, sql in triggers:
                        cursor.execute(sql)
