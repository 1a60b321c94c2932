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
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        pass
    try:
        exists = queryset.filter(**lookup).exists()
    except (ValueError, TypeError):
        exists = False
    if exists:
        from lintas.audit.choices import Action, Outcome
        from lintas.audit.services import record_event

        record_event(
            Action.ACCESS_DENIED,
            actor=user,
            outcome=Outcome.DENIED,
            object_type=queryset.model._meta.label_lower,
            object_id=str(next(iter(lookup.values()), "")),
        )
    raise Http404


def assert_still_visible(obj, user) -> None:
    """After a write, check in the same transaction that its author can still see the result (NetBox's rule)."""
    if not type(obj).objects.visible_to(user).filter(pk=obj.pk).exists():
        raise PermissionError(f"{type(obj).__name__} {obj.pk} would no longer be visible to its author")
