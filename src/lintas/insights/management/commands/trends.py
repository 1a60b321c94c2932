"""``lintas trends --refresh [--months 2026-01,2026-02]``: rebuild the trend roll-ups now (what the jobs do)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from lintas.core.context import use_context
from lintas.insights.models import MonthlyRollup
from lintas.insights.services import refresh_rollups


class Command(BaseCommand):
    help = "Rebuild the monthly roll-ups behind the trends page (every month, or those given), or show their state."

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="rebuild the roll-ups")
        parser.add_argument("--months", default="", help="only these months, YYYY-MM separated by commas")
        parser.add_argument("--portable", action="store_true", help="use the portable path even on PostgreSQL")

    def handle(self, *args, **options):
        if not options["refresh"]:
            latest = MonthlyRollup.objects.order_by("-refreshed_at").values_list("refreshed_at", flat=True).first()
            self.stdout.write(f"{MonthlyRollup.objects.count()} roll-up rows, last refreshed {latest or 'never'}")
            return
        months = None
        if options["months"]:
            try:
                months = [dt.datetime.strptime(m.strip(), "%Y-%m").date() for m in options["months"].split(",")]
            except ValueError:
                raise CommandError("--months takes YYYY-MM values separated by commas") from None
        with use_context("cli:trends"):
            report = refresh_rollups(months=months, fast=False if options["portable"] else None)
        self.stdout.write(f"{report['rows']} roll-up rows written in {report['seconds']:.1f} s ({report['path']} path)")
