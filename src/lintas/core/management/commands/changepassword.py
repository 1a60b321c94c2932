"""``lintas changepassword USER``: Django's command, audited, and ending the user's sessions as a reset by an admin
does (this app comes first in INSTALLED_APPS so that its commands stand in for Django's and django-otp's)."""

import getpass

from django.contrib.auth.management.commands import changepassword
from django.db import transaction
from django.db.models import F

from lintas.audit.choices import Action
from lintas.audit.services import record_event


class Command(changepassword.Command):
    def handle(self, *args, **options):
        from lintas.accounts.models import User

        with transaction.atomic():
            message = super().handle(*args, **options)
            user = User.objects.get(username=options["username"] or getpass.getuser())
            User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
            record_event(
                Action.USER_UPDATED,
                target=user,
                actor_username=f"cli:{getpass.getuser()}"[:150],
                details={"password": "set by lintas changepassword"},
            )
        return message
