"""Fetch what a user names by id: 404 both when it does not exist and when the user may not see it.

The same answer for both keeps existence from leaking (Zulip's ``access_*`` helpers), and so does the same work: one
query decides whether the row exists and whether the user may see it, before anything is loaded, and a refusal is
audited the same way for a hidden row (in its owner's trail) as for a missing one (in the platform's), handed to the
read trail so that the answer does not wait for the write. Only then is a visible object loaded, with whatever the
caller's queryset selects and prefetches (decision 0030).

Every parameter naming agency data by id goes through here: path ids (``get_visible_or_404``), query filters such as
``?case=`` (``get_visible_or_404`` too: a filter naming a case one may not see answers 404, like a missing case) and
lists in request bodies (``visible_or_invalid``: 422 naming the field).
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404

__all__ = ["MAX_ID", "assert_still_visible", "get_visible_or_404", "parse_id", "visible_or_invalid"]

MAX_ID = 2**63 - 1  # the largest primary key any supported database stores (a signed 64-bit integer)


def parse_id(value) -> int | None:
    """The id ``value`` names (an int or its decimal digits), or None when no row can have it: not a whole number,
    below 1 or above ``MAX_ID``. Such a value is a missing object, never a database error."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            return None
        number = int(text)
    return number if 0 < number <= MAX_ID else None


def _trail_agency_field(queryset) -> str | None:
    """The field naming the agency whose trail records a refused access to one of ``queryset``'s rows."""
    return getattr(queryset, "trail_agency_field", None) or getattr(queryset, "agency_field", None)


def get_visible_or_404(queryset, user, **lookup):
    """Return the one object matching ``lookup`` among those ``user`` may see, or raise ``Http404``.

    ``lookup`` is ``pk=<id>`` (the id as given: an int or a string from a URL or a query parameter). Hidden, missing
    and malformed ids answer alike, after the same work: the same one query, one refused-access event, no prefetch.
    """
    (name, value), *rest = lookup.items()
    if rest or name not in ("pk", "id"):
        raise TypeError("get_visible_or_404 looks objects up by their id alone")
    pk = parse_id(value)
    bare = queryset.select_related(None).prefetch_related(None).order_by()
    decided = None
    if pk is not None:
        agency_field = _trail_agency_field(queryset)
        visible = Exists(bare.visible_to(user).filter(pk=OuterRef("pk")))
        columns = ("_visible", agency_field) if agency_field else ("_visible",)
        decided = next(iter(bare.filter(pk=pk).annotate(_visible=visible).values_list(*columns)[:1]), None)
    if decided is not None and decided[0]:
        found = queryset.visible_to(user).filter(pk=pk).first()
        if found is not None:
            return found
    from lintas.audit.services import record_refused_read

    # In the owner's trail: the agency that owns the data learns who tried to reach it. A missing id goes to the
    # platform's trail, which only the platform admin reads: nothing in the actor's own trail tells the two apart.
    record_refused_read(
        user,
        "not visible to this user" if decided is not None else "no such object",
        object_type=queryset.model._meta.label_lower,
        object_id=str(value),
        agency_id=decided[1] if decided is not None and len(decided) > 1 else None,
    )
    raise Http404


def visible_or_invalid(queryset, user, ids, *, field: str, message) -> list:
    """The objects ``ids`` name (a list from a request body), every one of them visible to ``user`` through
    ``queryset.visible_to``; else ``ValidationError({field: [message]})``, the same for a hidden, a missing and a
    malformed id, after the same one query. Nothing is dropped silently."""
    wanted = {parse_id(value) for value in ids}
    if not wanted:
        return []
    found = list(queryset.visible_to(user).filter(pk__in=wanted - {None})) if wanted - {None} else []
    if None in wanted or len(found) != len(wanted):
        raise ValidationError({field: [message]})
    return found


def assert_still_visible(obj, user) -> None:
    """After a write, check in the same transaction that its author can still see the result (NetBox's rule)."""
    if not type(obj).objects.visible_to(user).filter(pk=obj.pk).exists():
        raise PermissionError(f"{type(obj).__name__} {obj.pk} would no longer be visible to its author")
