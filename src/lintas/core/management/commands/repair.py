"""``lintas repair``: repair stored numbers that do not fit their column (decision 0034); audited, idempotent."""

import getpass

from django.core.management.base import BaseCommand

from lintas.core.repair import repair_bad_values


class Command(BaseCommand):
    help = (
        "Find amounts, rates and counts stored beyond their column (possible on SQLite before input checks) that "
        "make pages fail, and set them to empty (or 0), each with an audit event holding the value as stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be repaired; change nothing.")
        parser.add_argument("--database", default="default")

    def handle(self, **options):
        user = getpass.getuser()
        found = repair_bad_values(f"cli:{user}"[:150], using=options["database"], dry_run=options["dry_run"])
        for bad in found:
            self.stdout.write(str(bad))
        verb = "would be repaired" if options["dry_run"] else "repaired"
        self.stdout.write(f"{len(found)} value(s) {verb}")
