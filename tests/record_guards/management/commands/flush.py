"""`flush` for tests: empties the database with the record guards lifted, then restores them.

pytest-django flushes after every transactional test (live_server, transaction=True); the guards refuse
those deletes, as they should anywhere but here.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from tests.record_guards import guards_lifted


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        with guards_lifted(connection):
            return super().handle(**options)
