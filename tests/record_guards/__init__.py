"""Test-only app: lift the database's record guards while a test deliberately tampers with the record or
while the test runner empties the database between transactional tests.

Installed by config.settings.test only. Production has no way around the triggers short of DDL by the
database owner (dropping them), which is itself visible; `verify_record` catches what such a person changes.
"""

from contextlib import contextmanager

from django.db import connection, transaction

PREFIX = "record_guard_"


@contextmanager
def guards_lifted(using=connection):
    """Inside: no record guard fires. In one transaction, so a failure leaves the guards as they were."""
    with transaction.atomic(using=using.alias):
        with using.cursor() as cursor:
            if using.vendor == "postgresql":
                cursor.execute(
                    "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE %s AND NOT tgisinternal",
                    [PREFIX + "%"],
                )
                triggers = cursor.fetchall()
                for table, name in triggers:
                    cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
            else:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"])
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
        yield
        with using.cursor() as cursor:
            for first, second in triggers:
                if using.vendor == "postgresql":
                    cursor.execute(f'ALTER TABLE {first} ENABLE TRIGGER "{second}"')
                else:
                    cursor.execute(second)
