"""``lintas addstatictoken USER``: django-otp's command (a one-time second-factor code for a locked-out user),
audited."""

import getpass

from django.db import transaction
from django_otp.plugins.otp_static.management.commands import addstatictoken

from lintas.audit.choices import Action
from lintas.audit.services import record_event


class Command(addstatictoken.Command):
    def handle(self, *args, **options):
        from lintas.accounts.models import User

        with transaction.atomic():
            super().handle(*args, **options)
            record_event(
                Action.STATIC_TOKEN_ADDED,
                target=User.objects.get(username=options["username"]),
                actor_username=f"cli:{getpass.getuser()}"[:150],
            )
