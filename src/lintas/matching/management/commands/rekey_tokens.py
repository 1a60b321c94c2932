"""``lintas rekey_tokens``: move every stored token to a new community key (key rotation).

Run it with the new key in ``LINTAS_COMMUNITY_KEY_NEW`` while the old one is still ``LINTAS_COMMUNITY_KEY``, then
swap the variables on every node. Identifiers with a canonical value, benign values and hits are recomputed; blind
identifiers (token only) cannot be: they are listed per agency so each re-submits them with the new key.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lintas import identifiers
from lintas.audit.choices import Action
from lintas.audit.services import record_event
from lintas.cases.models import CaseIdentifier
from lintas.core.context import use_context
from lintas.matching.models import BenignValue, Hit, HotValue
from lintas.matching.tokens import token_for, tokens_for

BATCH = 5000


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
            changed = self._identifiers(key)
            for benign in BenignValue.objects.all():
                BenignValue.objects.filter(pk=benign.pk).update(token=token_for(key, f"{benign.type}:{benign.value}"))
            HotValue.objects.all().delete()  # recounted by the next matching run
            tokens = dict(CaseIdentifier.objects.values_list("id", "token"))
            for hit in Hit.objects.only("id", "left_id").iterator(chunk_size=BATCH):
                Hit.objects.filter(pk=hit.pk).update(token=tokens.get(hit.left_id, ""))
            blind = CaseIdentifier.objects.filter(blind=True)
            per_agency = {}
            for code in blind.values_list("owner_agency__code", flat=True):
                per_agency[code] = per_agency.get(code, 0) + 1
            record_event(
                Action.TOKENS_REKEYED,
                actor_username="cli",
                details={"identifiers": changed, "blind_to_resubmit": per_agency},
            )
        self.stdout.write(f"recomputed {changed} identifier token(s) and {BenignValue.objects.count()} benign value(s)")
        for code, count in sorted(per_agency.items()):
            self.stdout.write(f"  {code}: {count} blind identifier(s) must be re-submitted with the new key")
        self.stdout.write("Now set LINTAS_COMMUNITY_KEY to the new key on every node and restart.")

    def _identifiers(self, key: bytes) -> int:
        changed = 0
        rows = CaseIdentifier.objects.filter(blind=False).only("id", "type", "value", "token", "linked_token")
        for ident in rows.iterator(chunk_size=BATCH):
            # The linked key is re-derived from the canonical value, exactly as on entry.
            own, linked = tokens_for(key, identifiers.normalize(ident.value, ident.type))
            CaseIdentifier.objects.filter(pk=ident.pk).update(token=own, linked_token=linked)
            changed += 1
        return changed
