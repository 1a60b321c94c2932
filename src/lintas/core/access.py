"""Fetch one object for a user: 404 both when it does not exist and when the user may not see it.

The same answer for both keeps existence from leaking (Zulip's ``access_*`` helpers). A refused access that hit an
existing object is still written to the audit trail as a denied event.
"""

from django.http import Http404

__all__ = ["assert_still_visible", "get_visible_or_404"]


def get_visible_or_404(queryset, user, **lookup):
    """Return the one object matching ``lookup`` among those ``user`` may see, or raise ``Http404``."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        pass
    try:
        hidden = queryset.filter(**lookup).first()
    except (ValueError, TypeError, OverflowError):  # an id no column holds (beyond 64 bits) is missing
        hidden = None
    if hidden is not None:
        from lintas.audit.services import record_denial

        # In the owner's trail: the agency that owns the data learns who tried to reach it.
        record_denial(user, "not visible to this user", target=hidden)
    raise Http404


def assert_still_visible(obj, user) -> None:
    """After a write, check in the same transaction that its author can still see the result (NetBox's rule)."""
    if not type(obj).objects.visible_to(user).filter(pk=obj.pk).exists():
        raise PermissionError(f"{type(obj).__name__} {obj.pk} would no longer be visible to its author")
