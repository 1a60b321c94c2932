"""``lintas dbshell``: Django's command, with an audit event first: whoever can open it can read and change anything
outside the services, so the trail says who opened it and when (in the platform's trail, read by the platform admin)."""

import getpass
import os

from django.core.management.commands import dbshell
from django.db import DatabaseError

from lintas.audit.choices import Action
from lintas.audit.services import record_event


class Command(dbshell.Command):
    def handle(self, *args, **options):
        user = getpass.getuser()
        try:
            record_event(
                Action.CLI_SHELL_OPENED,
                actor_username=f"cli:{user}"[:150],
                details={"command": "dbshell", "os_user": user, "ssh_client": os.environ.get("SSH_CLIENT", "")},
            )
        except DatabaseError as exc:  # a recovery tool must open even when the database cannot take the event
            self.stderr.write(f"warning: this dbshell was not written to the audit trail ({exc})")
        return super().handle(*args, **options)
