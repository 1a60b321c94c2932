"""Paging of API lists whose items are presented (not serialised as they are): only the page served is presented."""

from collections.abc import Callable, Sequence

__all__ = ["PresentedPage"]


class PresentedPage:
    """Stands in for a queryset under django-ninja's paginator: counts the queryset, and turns only the slice the
    paginator takes into output with ``present(rows)``."""

    def __init__(self, queryset, present: Callable[[Sequence], list]):
        self.queryset, self.present = queryset, present

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return self.queryset.count()

    def __getitem__(self, item):
        return self.present(self.queryset[item])
