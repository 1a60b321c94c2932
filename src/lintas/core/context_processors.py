from django.conf import settings


def lintas(request):
    """Values every page needs: demo flag, site name and the language list for the switcher."""
    return {
        # Pages of a complete session open the live stream and show the urgent banner (lintas.live, decision 0045);
        # a callable, so only base.html's check runs it, and only once it is asked.
        "LIVE_ALERTS": lambda: _session_complete(request),
        # Who may draft a request for assistance: the hit cards and the hit page offer "Request a stop-payment" only to
        # them (an agency admin alone would be refused on submitting).
        "CAN_DRAFT_REQUESTS": lambda: _can_draft(request),
        "DEMO_MODE": settings.DEMO_MODE,
        "SITE_NAME": settings.LINTAS_SITE_NAME,
        "LINTAS_LANGUAGES": settings.LANGUAGES,
    }


def _session_complete(request) -> bool:
    from lintas.accounts import mfa

    user = getattr(request, "user", None)
    return user is not None and mfa.session_is_complete(user)


def _can_draft(request) -> bool:
    from lintas.assistance.services import DRAFTER_ROLES

    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.has_role(*DRAFTER_ROLES))
