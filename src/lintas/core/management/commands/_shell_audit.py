"""What ``lintas shell`` and ``lintas dbshell`` share: an audit event before they open (no command of its own)."""

import getpass
import os

from django.db import DatabaseError

from lintas.audit.choices import Action
from lintas.audit.services import record_event


def record_shell_opened(command, name: str) -> None:
    """Whoever opens a shell can read and change anything past the services: the trail (the platform's, read by the
    platform admin) says who opened which and when. A recovery tool must still open when the database cannot take
    the event: then a warning says so."""
    user = getpass.getuser()
    try:
        record_event(
            Action.CLI_SHELL_OPENED,
            actor_username=f"cli:{user}"[:150],
            details={"command": name, "os_user": user, "ssh_client": os.environ.get("SSH_CLIENT", "")},
        )
    except DatabaseError as exc:
        command.stderr.write(f"warning: this {name} was not written to the audit trail ({exc})")
