"""``lintas rekey_tokens``: move every stored token to a new community key (key rotation).

Run it with the new key in ``LINTAS_COMMUNITY_KEY_NEW`` while the old one is still ``LINTAS_COMMUNITY_KEY``, then
swap the variables on every node. Identifiers with a canonical value, benign values, onward transfers of requests and
hits are recomputed; blind identifiers (token only) cannot be: they are listed per agency so each re-submits them with
the new key. Tokens are written a batch at a time (``update_rows``), not a statement per row.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from lintas import identifiers
from lintas.assistance.models import OnwardTransfer
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import CaseIdentifier
from lintas.core.context import use_context
from lintas.core.db import update_rows
from lintas.matching.models import BenignValue, Hit, HotValue
from lintas.matching.tokens import token_for, tokens_for

BATCH = 5000
HIT_BATCH = 1000  # two identifiers each: an IN list of at most 2,000 ids


class Command(BaseCommand):
    help = "Recompute every match token under the new community key in LINTAS_COMMUNITY_KEY_NEW."

    def handle(self, *args, **options):
        raw = os.environ.get("LINTAS_COMMUNITY_KEY_NEW", "").strip()
        try:
            key = bytes.fromhex(raw)
        except ValueError:
            key = b""
        if len(key) < 32:
            raise CommandError("Set LINTAS_COMMUNITY_KEY_NEW to the new key: at least 64 hex characters.")
        with use_context("cli:rekey_tokens"), transaction.atomic():
            changed = _rekey(
                CaseIdentifier.objects.filter(blind=False),
                ("token", "linked_token"),
                lambda kind, value: tokens_for(key, identifiers.normalize(value, kind)),
            )
            # A transfer's destination was valid when recorded: its token is that of its canonical value, as on entry.
            transfers = _rekey(
                OnwardTransfer.objects.all(),
                ("token",),
                lambda kind, value: tokens_for(key, identifiers.normalize(value, kind))[:1],
            )
            benign = _rekey(
                BenignValue.objects.all(), ("token",), lambda kind, value: (token_for(key, f"{kind}:{value}"),)
            )
            HotValue.objects.all().delete()  # recounted by the next matching run
            _rekey_hits()
            blind = CaseIdentifier.objects.filter(blind=True)
            per_agency = {}
            for code in blind.values_list("owner_agency__code", flat=True):
                per_agency[code] = per_agency.get(code, 0) + 1
            record_event(
                Action.TOKENS_REKEYED,
                actor_username="cli",
                details={
                    "identifiers": changed,
                    "onward_transfers": transfers,
                    "benign_values": benign,
                    "blind_to_resubmit": per_agency,
                },
            )
        self.stdout.write(
            f"recomputed {changed} identifier token(s), {transfers} onward transfer(s) and {benign} benign value(s)"
        )
        for code, count in sorted(per_agency.items()):
            self.stdout.write(f"  {code}: {count} blind identifier(s) must be re-submitted with the new key")
        self.stdout.write("Now set LINTAS_COMMUNITY_KEY to the new key on every node and restart.")


def _rekey(rows: models.QuerySet, fields: tuple[str, ...], compute) -> int:
    """Set ``fields`` of every row to ``compute(type, value)``, a batch of ``BATCH`` rows at a time, in key order (the
    next batch is read after the last one's key, so no cursor stays open on a table being written); the count."""
    model = rows.model
    table, key = model._meta.db_table, model._meta.pk.column
    columns = [model._meta.get_field(name).column for name in fields]
    types = ["bigint", *(["text"] * len(fields))]
    done, last = 0, 0
    while True:
        batch = list(rows.filter(pk__gt=last).order_by("pk").values_list("pk", "type", "value")[:BATCH])
        if not batch:
            return done
        update_rows(table, key, columns, [(pk, *compute(kind, value)) for pk, kind, value in batch], types=types)
        done += len(batch)
        last = batch[-1][0]


def _shared_key(left: tuple[str, str], right: tuple[str, str]) -> str:
    """The token two matched identifiers share (own or linked, as matching found it; the left's own first), from
    their ``(token, linked_token)``; the left's own token when they share none any more (one side blind, kept under
    the old key)."""
    theirs = {key for key in right if key}
    return next((key for key in left if key and key in theirs), left[0])


def _rekey_hits() -> None:
    """Set every hit's token to the key its two identifiers share under the new key: for an alias matched through
    the phone behind it, the phone's token, not the alias's own."""
    table, key = Hit._meta.db_table, Hit._meta.pk.column
    last = 0
    while True:
        batch = list(
            Hit.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "left_id", "right_id")[:HIT_BATCH]
        )
        if not batch:
            return
        ids = {ident for _pk, left, right in batch for ident in (left, right)}
        keys = {
            pk: (own, linked)
            for pk, own, linked in CaseIdentifier.objects.filter(pk__in=ids).values_list("pk", "token", "linked_token")
        }
        rows = [(pk, _shared_key(keys[left], keys[right])) for pk, left, right in batch]
        update_rows(table, key, ["token"], rows, types=["bigint", "text"])
        last = batch[-1][0]
