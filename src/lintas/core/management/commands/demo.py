"""``lintas demo``: create the demo data (users of every member agency, cases of stories 2 and 3). Refused in
production."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lintas.accounts.demo import DEMO_PASSWORD, seed_demo_users
from lintas.cases.demo import seed_demo_cases
from lintas.core.context import use_context
from lintas.programmes.demo import seed_demo_materials_and_feedback, seed_demo_programmes, seed_demo_reports


class Command(BaseCommand):
    help = "Create demo users for every member agency and the cases of stories 2 and 3 (idempotent). Demo mode only."

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
            reports = seed_demo_reports()  # last: on the nominations, attendance and feedback that exist by now
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
