from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Crime trends: monthly roll-ups of cases, identifiers, hits and requests, shown with small cells suppressed."""

    name = "lintas.insights"
    verbose_name = _("Insights")
