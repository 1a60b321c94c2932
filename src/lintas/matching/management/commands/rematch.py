"""``lintas rematch VALUE [VALUE ...]`` and ``lintas rematch --all``: create the hits that are missing, now.

With values, the identifiers carrying them are matched again (what the job does after a value leaves the benign
list). With ``--all``, the re-match sweep over every stored identifier (``lintas.matching.sweep``, what the nightly
job does): after raising the hot-value cap, after a queue outage, after restoring a backup. Either way pairs already
stored are kept, new ones become hits, audited and notified like any other, and running it again creates nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from lintas import identifiers
from lintas.matching.models import RematchRun
from lintas.matching.tasks import execute
from lintas.matching.tokens import community_key, tokens_for


class Command(BaseCommand):
    help = "Create the missing hits: of the identifiers carrying these values, or of every identifier with --all."

    def add_arguments(self, parser):
        parser.add_argument("values", nargs="*", help="identifiers as an officer would type them")
        parser.add_argument("--all", action="store_true", help="sweep every stored identifier")
        parser.add_argument("--status", action="store_true", help="list the last runs (queued, nightly, by hand)")
        parser.add_argument("--type", help="their type, when detection could mistake them")
        parser.add_argument("--country", help="default country (ISO alpha-2) for local numbers and accounts")

    def handle(self, *args, **options):
        if options["status"]:
            for run in RematchRun.objects.all()[:10]:
                report = run.report
                progress = f"{report.get('keys_done', 0)}/{report.get('keys', 0)} keys, {report.get('hits', 0)} hits"
                scope = f"{len(run.tokens)} key(s)" if run.tokens else "all"
                error = f" error: {run.error}" if run.error else ""
                self.stdout.write(
                    f"{run.pk}\t{run.created_at:%Y-%m-%d %H:%M}\t{run.status}\t{run.reason}\t{scope}\t{progress}{error}"
                )
            return
        if options["all"] == bool(options["values"]):
            raise CommandError("Give the values to match again, or --all (not both).")
        key, tokens = community_key(), set()
        for value in options["values"]:
            result = identifiers.normalize(value, options["type"] or None, options["country"] or None)
            if not result.valid:
                raise CommandError(f"{value}: {'; '.join(result.errors) or 'not a recognised identifier'}")
            tokens.update(t for t in tokens_for(key, result) if t)
        run = RematchRun.objects.create(reason="lintas rematch", tokens=sorted(tokens))
        execute(run, actor_username="cli")  # progress in run.report, as the job's
        run.refresh_from_db()
        report = run.report
        self.stdout.write(f"{report['hits']} new hit(s)")
        if options["all"] or report["hot_registered"] or report["hot_cleared"]:
            self.stdout.write(
                f"{report['keys']} key(s) matched again, {report['hot_registered']} newly hot, "
                f"{report['hot_cleared']} no longer hot, in {report['seconds']:.1f} s (run {run.pk})"
            )
