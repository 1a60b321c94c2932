"""Template helpers of the programmes pages."""

from django import template

from lintas.programmes.services import join_window

register = template.Library()


@register.filter
def join_open(session, now) -> bool:
    """Is "Join online" open for ``session`` at ``now`` (15 minutes before it starts until it ends)."""
    return join_window(session, now)
