"""``lintas shell``: Django's command, audited when it opens (see ``_shell_audit``)."""

from django.core.management.commands import shell

from lintas.core.management.commands._shell_audit import record_shell_opened


class Command(shell.Command):
    def handle(self, *args, **options):
        record_shell_opened(self, "shell")
        return super().handle(*args, **options)
