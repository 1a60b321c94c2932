"""Making notifications, and showing them: each reader reads the text in their own language, at every display.

A notification keeps its message id (the English text, the gettext msgid) and its values (``params``); labels among
the values (a status, a request type, "a member agency") are kept as references to their own msgid, so they are
translated when shown too. ``render_message`` renders both in the active language: the pages render in the reader's
language, the API in the user's language setting, the e-mail in the recipient's (decision 0050).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise

from lintas.notifications.models import Notification

__all__ = ["for_recipients", "language_of", "languages_of", "mark_read_at", "render_message"]

logger = logging.getLogger(__name__)

MAX_CHARS = 500


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each user's language (the site's default for one without a choice)."""
    from lintas.accounts.models import User

    ids = set(user_ids)
    known = dict(User.objects.filter(pk__in=ids).values_list("pk", "language"))
    return {pk: language_of(known.get(pk)) for pk in ids}


def language_of(code: str | None) -> str:
    """``code`` if it is one of the configured languages, else the site's default."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _lazy_message(value) -> dict | None:
    """``{"msgid": ...}`` (and ``"context"``) of a ``gettext_lazy``/``pgettext_lazy`` value, None for anything else."""
    if not isinstance(value, Promise):
        return None
    try:
        _unpickle, (func, args, kwargs, *_result) = value.__reduce__()
    except (TypeError, ValueError):
        return None
    if kwargs:
        return None
    if func is translation.gettext and len(args) == 1 and isinstance(args[0], str):
        return {"msgid": args[0]}
    if func is translation.pgettext and len(args) == 2 and all(isinstance(a, str) for a in args):
        return {"msgid": args[1], "context": args[0]}
    return None


def _stored(value):
    """A value as ``params`` keeps it: a lazy label as its msgid, a list item by item, a moment or a day as ISO 8601
    (a moment shown in the reader's time zone), anything else as text."""
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, list | tuple | set | frozenset):
        return {"list": [_stored(item) for item in value]}
    label = _lazy_message(value)
    if label is not None:
        return label
    return str(value)  # text, or a lazy value of another kind: rendered now, in the active (the recipient's) language


def _shown(value) -> str:
    """A stored value in the active language."""
    if isinstance(value, dict):
        if "list" in value and isinstance(value["list"], list):  # the reader's alphabet orders the names
            return ", ".join(sorted(_shown(item) for item in value["list"]))
        try:
            if isinstance(value.get("datetime"), str):  # in the active (the reader's) time zone, which it names
                moment = timezone.localtime(dt.datetime.fromisoformat(value["datetime"]))
                return f"{moment:%Y-%m-%d %H:%M} ({moment.tzname()})"  # as every page of Lintas writes times
            if isinstance(value.get("date"), str):
                return dt.date.fromisoformat(value["date"]).isoformat()
        except (ValueError, OverflowError):
            return str(value.get("datetime") or value.get("date"))
        msgid = value.get("msgid")
        if isinstance(msgid, str):
            context = value.get("context")
            return translation.pgettext(context, msgid) if isinstance(context, str) else translation.gettext(msgid)
    return str(value)


def render_message(message_id: str, params: Mapping | None, *, fallback: str = "") -> str:
    """``gettext(message_id) % params`` in the active language, each label of ``params`` translated too.

    ``fallback`` (the stored text) for a notification without a message id; the English message should a
    translation not fit its values (a translator's typo must not break the dashboard), and the fallback if that fails.
    """
    if not message_id:
        return fallback
    if not params:  # as ``text % {}`` would not be applied: a "%%" stays as written, like gettext's own output
        return translation.gettext(message_id)[:MAX_CHARS]
    values = {name: _shown(value) for name, value in params.items()}
    for template in (translation.gettext(message_id), message_id):
        try:
            return (template % values)[:MAX_CHARS]
        except (KeyError, ValueError, TypeError):
            language = translation.get_language()
            logger.warning("notification message %r does not fit its values in %s", message_id, language)
    return fallback


def for_recipients(
    recipient_ids: Iterable[int],
    text,
    params: Mapping | None = None,
    *,
    languages: Mapping[int, str] | None = None,
    **fields,
) -> list[Notification]:
    """One unsaved notification for each recipient: the message id and ``params`` to render it in the reader's language
    whenever it is shown, and ``text`` rendered once in the recipient's language (for the e-mail and as fallback).

    ``text`` is a lazy translation (``gettext_lazy``) and ``params`` may hold lazy ones too (a status, "a member
    agency"), and lists of names (shown joined, in the reader's alphabetical order). ``languages`` (user id ->
    language), when the caller already has them, spares a query. A job has no active language, and an officer's
    action must not write to another country's officer in the actor's language. The only way notifications are made.
    """
    ids = list(dict.fromkeys(recipient_ids))
    if languages is None or not set(ids) <= set(languages):
        languages = languages_of(ids)
    message = _lazy_message(text)
    message_id = message["msgid"] if message and "context" not in message else ""  # else shown as it was made
    per_language: dict[str, tuple[str, dict]] = {}
    notes = []
    for pk in ids:
        language = languages[pk]
        if language not in per_language:
            with translation.override(language), timezone.override(dt.UTC):  # the copy kept names its zone: UTC
                stored = {name: _stored(value) for name, value in (params or {}).items()}
                rendered = str(text)  # a message that does not fit its values fails here, where it is made
                if params:
                    rendered = rendered % {name: _shown(value) for name, value in stored.items()}
                per_language[language] = (rendered[:MAX_CHARS], stored)
        rendered, stored = per_language[language]
        notes.append(Notification(recipient_id=pk, text=rendered, message_id=message_id, params=stored, **fields))
    return notes


def mark_read_at(user, url: str) -> int:
    """Mark ``user``'s unread notifications that point at ``url`` read (the page they point at was opened)."""
    from django.utils import timezone

    return Notification.objects.visible_to(user).unread().filter(url=url).update(read_at=timezone.now())
