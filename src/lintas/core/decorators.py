"""View decorators shared by every app."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

__all__ = ["role_required"]


def role_required(*roles: str):
    """Signed-in users holding one of ``roles``; others get 403, and the refusal is audited."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                from lintas.audit.services import record_denial

                record_denial(
                    request.user, f"needs one of: {', '.join(roles)}", object_type="page", object_id=request.path
                )
                from lintas.accounts.choices import Role

                labels = ", ".join(str(Role(role).label) for role in roles)
                raise PermissionDenied(_("This page needs one of these roles: %(roles)s") % {"roles": labels})
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
