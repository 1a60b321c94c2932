"""``lintas dbshell``: Django's command, audited when it opens (see ``_shell_audit``)."""

from django.core.management.commands import dbshell

from lintas.core.management.commands._shell_audit import record_shell_opened


class Command(dbshell.Command):
    def handle(self, *args, **options):
        record_shell_opened(self, "dbshell")
        return super().handle(*args, **options)
