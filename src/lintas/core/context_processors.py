from django.conf import settings


def lintas(request):
    """Values every page needs: demo flag, site name and the language list for the switcher."""
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "SITE_NAME": settings.LINTAS_SITE_NAME,
        "LINTAS_LANGUAGES": settings.LANGUAGES,
    }
