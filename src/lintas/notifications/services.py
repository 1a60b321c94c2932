"""Making notifications: each recipient reads the text in their own language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.utils import translation

from lintas.notifications.models import Notification

__all__ = ["for_recipients", "languages_of"]


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each user's language (the site's default for one without a choice)."""
    from lintas.accounts.models import User

    ids = set(user_ids)
    known = dict(User.objects.filter(pk__in=ids).values_list("pk", "language"))
    return {pk: known.get(pk) or settings.LANGUAGE_CODE for pk in ids}


def for_recipients(recipient_ids: Iterable[int], text, params: Mapping | None = None, **fields) -> list[Notification]:
    """One unsaved notification for each recipient, with ``text % params`` rendered in the recipient's language.

    ``text`` is a lazy translation (``gettext_lazy``) and ``params`` may hold lazy ones too (a status, "a member
    agency"); they are rendered once per language, inside ``translation.override``. A job has no active language,
    and an officer's action must not write to another country's officer in the actor's language.
    """
    ids = list(dict.fromkeys(recipient_ids))
    languages = languages_of(ids)
    rendered: dict[str, str] = {}
    notes = []
    for pk in ids:
        language = languages[pk]
        if language not in rendered:
            with translation.override(language):
                message = str(text)
                if params:
                    message = message % {name: str(value) for name, value in params.items()}
                rendered[language] = message[:500]
        notes.append(Notification(recipient_id=pk, text=rendered[language], **fields))
    return notes
