"""The portable carrier of live signals: a short-lived row per published change (decision 0045)."""

from django.db import models

__all__ = ["LiveEvent"]


class LiveEvent(models.Model):
    """One signal "something changed" for some users and agencies, written in the writing transaction.

    Read by each process's hub (one query every ~200 ms per process, not per connection) when neither Redis nor
    PostgreSQL carries the signals, and pruned after a few minutes. It holds no data, only whom to tell and a kind.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=32)
    users = models.JSONField(default=list)
    agencies = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"
