"""``lintas demo``: create the demo data (users of every member agency, cases of stories 2 and 3). Refused in
production."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lintas.accounts.demo import DEMO_PASSWORD, seed_demo_users
from lintas.cases.demo import seed_demo_cases
from lintas.core.context import use_context
from lintas.insights.services import refresh_rollups
from lintas.programmes.demo import seed_demo_materials_and_feedback, seed_demo_programmes, seed_demo_reports


class Command(BaseCommand):
    help = (
        "Create demo users for every member agency, the cases of stories 2 and 3 and the programmes of story 4, then "
        "refresh the trend roll-ups (idempotent). Demo mode only."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never created with LINTAS_ENV=production.")
        if not settings.DEMO_MODE:
            self.stderr.write("Note: LINTAS_DEMO is not set, so demo users must enrol a second factor to sign in.")
        with use_context("cli:demo"):
            created = seed_demo_users()
            seed = seed_demo_cases()
            editions = seed_demo_programmes()
            programme_extras = seed_demo_materials_and_feedback()  # answers for the demo's participants
            reports = seed_demo_reports()  # on the nominations, attendance and feedback that exist by now
            # Last, over everything above, so that the Trends page has figures on first run (it replaces every
            # month's rows: running the command again writes the same rows).
            rollups = refresh_rollups()
        self.stdout.write(f"created {len(created)} demo user(s); password for all: {DEMO_PASSWORD}")
        self.stdout.write(
            f"created {len(seed.cases)} demo case(s) with {seed.hits} hit(s) and {len(seed.benign)} benign value(s)"
        )
        self.stdout.write(f"created {len(editions)} demo programme edition(s)")
        issued = sum(done["certificates"] for done in reports)
        self.stdout.write(f"seeded {len(reports)} programme report(s); issued {issued} certificate(s)")
        self.stdout.write(
            f"created {programme_extras['materials']} programme material(s) and {programme_extras['answers']} "
            "feedback answer(s)"
        )
        self.stdout.write(f"refreshed the trend roll-ups: {rollups['rows']} row(s) in {rollups['seconds']} s")
