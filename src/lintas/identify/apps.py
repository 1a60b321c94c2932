from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentifyConfig(AppConfig):
    """The web face of the pure ``lintas.identifiers`` library: API endpoints and the live preview."""

    name = "lintas.identify"
    label = "identify"
    verbose_name = _("Identify")
