from django.apps import AppConfig
from django.db.models.signals import pre_save


def _check_columns(sender, instance, raw=False, **kwargs):
    """Before any Lintas model is saved, its values must fit their columns (see ``lintas.core.validation``)."""
    if raw or not sender.__module__.startswith("lintas."):
        return
    from lintas.core.validation import check_instance

    check_instance(instance)


class CoreConfig(AppConfig):
    name = "lintas.core"
    label = "core"
    verbose_name = "Lintas core"

    def ready(self):
        pre_save.connect(_check_columns, dispatch_uid="lintas.core.check_columns")
