"""manage.py export_site OUTDIR [--since ISO] [--jobs N] [--listen PORT] [--upstream HOST:PORT]: the public site as
files plus an nginx server block (factsheets.public.site_export)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from factsheets.public.site_export import ExportFailed, export_site


def _moment(value: str):
    moment = parse_datetime(value)
    if moment is None and parse_date(value) is not None:
        moment = parse_datetime(value + "T00:00:00")
    if moment is None:
        raise CommandError(f"--since {value!r} is not an ISO date or date-time, e.g. 2026-01-31 or 2026-01-31T09:00Z.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


class Command(BaseCommand):
    help = "Write every public page, list, feed, sitemap and API document as files, plus nginx.conf."

    def add_arguments(self, parser):
        parser.add_argument("outdir")
        parser.add_argument("--since", help="Re-export only sheets published, reaffirmed or withdrawn since (ISO).")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="Worker processes sharing the sheets (default 1); the lists and nginx.conf are written after them.",
        )
        parser.add_argument("--listen", default="80", help="nginx listen directive (default 80).")
        parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn address (default 127.0.0.1:8000).")

    def handle(self, outdir, since=None, jobs=1, listen="80", upstream="127.0.0.1:8000", **options):
        since = _moment(since) if since else None
        if jobs < 1:
            raise CommandError(f"--jobs {jobs}: give the number of worker processes, 1 or more.")
        try:
            report = export_site(outdir, since=since, listen=listen, upstream=upstream, jobs=jobs)
        except ExportFailed as error:
            raise CommandError(f"The export of {outdir} is incomplete: {error}") from error
        self.stdout.write(
            f"Wrote {len(report.written)} files, removed {len(report.removed)} withdrawn sheets' files, in {outdir}."
        )
