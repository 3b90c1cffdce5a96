"""manage.py build_answers [SLUG ...] [--jobs N]: build the stored public answers of every published sheet (or of the
named ones), so that each sheet's first reader after a deploy gets a stored answer (factsheets.public.answers); a
full run also deletes the answers other builds stored (run it once every server runs the new release)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from factsheets.models import FactSheet
from factsheets.public import answers, forked


def _build(slugs: list[str]) -> dict:
    return {"kept": sum(answers.build_sheet(slug) for slug in slugs)}


class Command(BaseCommand):
    help = "Build the stored public answers (every page and API document) of every published or withdrawn sheet."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these sheets (default: every published or withdrawn one).")
        parser.add_argument(
            "--jobs", type=int, default=1, help="Worker processes sharing the sheets (default 1, this process)."
        )

    def handle(self, *args, **options):
        slugs, jobs = options["slugs"], options["jobs"]
        if jobs < 1:
            raise CommandError(f"--jobs {jobs}: give the number of worker processes, 1 or more; nothing was built.")
        live = FactSheet.objects.filter(live_revision__isnull=False)
        if slugs:
            known = set(live.filter(slug__in=slugs).values_list("slug", flat=True))
            unknown = [slug for slug in slugs if slug not in known]
            if unknown:
                raise CommandError(f"No published sheet has the address {', '.join(unknown)}; nothing was built.")
        else:
            slugs = list(live.order_by("slug").values_list("slug", flat=True))
        # In this process inside a transaction (a worker would not see what it holds) and on an in-memory SQLite
        # database (a forked worker would write to its own copy of it).
        jobs = min(jobs, len(slugs)) if not connection.in_atomic_block and not _in_memory() else 1
        if jobs > 1:
            try:
                kept = sum(part["kept"] for part in forked.run([slugs[i::jobs] for i in range(jobs)], _build))
            except forked.WorkerFailed as error:
                raise CommandError(f"The answers were not all built: {error}") from error
        else:
            kept = _build(slugs)["kept"]
        dropped = 0 if options["slugs"] else answers.drop_other_builds()
        self.stdout.write(f"Stored {kept} answers for {len(slugs)} sheets; dropped {dropped} of other builds.")


def _in_memory() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()
