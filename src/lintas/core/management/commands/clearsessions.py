"""``lintas clearsessions``: Django's command, audited (this app comes first in INSTALLED_APPS so that its commands
stand in for Django's). Sessions are rows in the database (decision 0010); removing them is removing evidence of who
was signed in, so the trail says who ran it and how many went."""

import getpass

from django.contrib.sessions.management.commands import clearsessions
from django.contrib.sessions.models import Session
from django.db import transaction

from lintas.audit.choices import Action
from lintas.audit.services import record_event


class Command(clearsessions.Command):
    def handle(self, **options):
        user = getpass.getuser()
        with transaction.atomic():
            before = Session.objects.count()
            super().handle(**options)
            removed = before - Session.objects.count()
            record_event(
                Action.CLI_SESSIONS_CLEARED,
                actor_username=f"cli:{user}"[:150],
                details={"removed": removed, "os_user": user},
            )
        self.stdout.write(f"{removed} expired session(s) removed")
