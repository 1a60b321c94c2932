"""Commands that reach past the services leave an audit event: changepassword, addstatictoken, clearsessions, shell,
dbshell."""

import pytest
from django.contrib.auth.management.commands import changepassword
from django.core.management import call_command
from django.core.management.commands import dbshell

from lintas.accounts.choices import Role
from lintas.audit.choices import Action
from lintas.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_changepassword_is_audited_and_ends_the_users_sessions(make_user, monkeypatch):
    user = make_user("spf", roles=(Role.INVESTIGATOR,))
    epoch = user.session_epoch
    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt=None: "a new long passphrase 42")
    call_command("changepassword", user.username)
    user.refresh_from_db()
    assert user.check_password("a new long passphrase 42") and user.session_epoch == epoch + 1
    event = AuditEvent.objects.get(action=Action.USER_UPDATED, object_id=str(user.pk))
    assert event.actor_username.startswith("cli:") and event.details == {"password": "set by lintas changepassword"}


def test_addstatictoken_is_audited(make_user):
    user = make_user("spf", roles=(Role.INVESTIGATOR,))
    call_command("addstatictoken", user.username)
    assert AuditEvent.objects.filter(action=Action.STATIC_TOKEN_ADDED, object_id=str(user.pk)).count() == 1


def test_clearsessions_removes_only_expired_sessions_and_is_audited():
    import datetime as dt
    from io import StringIO

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    for expiry in (timezone.now() - dt.timedelta(hours=1), timezone.now() + dt.timedelta(hours=1)):
        store = SessionStore()
        store["k"] = "v"
        store.create()
        Session.objects.filter(session_key=store.session_key).update(expire_date=expiry)
    out = StringIO()
    call_command("clearsessions", stdout=out)
    assert Session.objects.count() == 1 and Session.objects.get().expire_date > timezone.now()
    assert "1 expired session(s) removed" in out.getvalue()
    event = AuditEvent.objects.get(action=Action.CLI_SESSIONS_CLEARED)
    assert event.actor_username.startswith("cli:") and event.details["removed"] == 1


def test_opening_a_shell_is_audited(monkeypatch):
    call_command("shell", command="1 + 1")
    monkeypatch.setattr(dbshell.Command, "handle", lambda self, *args, **options: None)  # no database client here
    call_command("dbshell")
    opened = AuditEvent.objects.filter(action=Action.CLI_SHELL_OPENED).values_list("details__command", flat=True)
    assert sorted(opened) == ["dbshell", "shell"]


def test_a_shell_opens_even_when_the_audit_trail_cannot_take_the_event(monkeypatch, capsys):
    from django.db import OperationalError

    from lintas.core.management.commands import _shell_audit

    def broken(*args, **kwargs):
        raise OperationalError("no such table: audit_auditevent")

    monkeypatch.setattr(_shell_audit, "record_event", broken)
    call_command("shell", command="print('opened')")
    captured = capsys.readouterr()
    assert "opened" in captured.out and "not written to the audit trail" in captured.err
