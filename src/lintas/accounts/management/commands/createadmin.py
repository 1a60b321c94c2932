"""``lintas createadmin``: create an agency's first admin from the command line (audited).

The first platform admin of a new installation, and first admins of agencies, are made here; afterwards admins
create users in the application.
"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lintas.accounts import services
from lintas.accounts.choices import Role
from lintas.agencies.models import Agency
from lintas.core.context import use_context


class Command(BaseCommand):
    help = "Create an admin user for an agency (platform admin too, for the Secretariat)."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="Agency code, e.g. spf or aseanapol.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")

    def handle(self, *args, **options):
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            codes = ", ".join(Agency.objects.values_list("code", flat=True))
            raise CommandError(f"No agency with code {options['agency']!r}. Known codes: {codes}")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        roles = {Role.AGENCY_ADMIN, Role.SUPERVISOR}
        if agency.is_secretariat:
            roles.add(Role.PLATFORM_ADMIN)
        try:
            with use_context("cli:createadmin"):
                user = services.create_user(
                    None,
                    agency=agency,
                    username=options["username"],
                    password=password,
                    roles=roles,
                    email=options["email"],
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"created {user.username} in {agency.short_name} with roles {', '.join(sorted(roles))}")
        self.stdout.write("They enrol their authenticator at first sign-in.")
