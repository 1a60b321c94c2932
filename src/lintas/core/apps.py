from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lintas.core"
    label = "core"
    verbose_name = "Lintas core"
