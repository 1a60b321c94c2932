from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """Capacity-building programmes: editions, their agenda, experts and the coordination checklist."""

    name = "lintas.programmes"
    verbose_name = _("Programmes")
