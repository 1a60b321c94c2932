"""Decision 0049: a handle on no stated platform has a weak token, and a handle on a named platform carries that weak
token as its linked one. Recompute the tokens of the stored handles (not blind ones: their agency re-submits them) and
of the hits and benign values that carried the old ones. The links this makes are created by the next re-match
sweep (nightly, or ``lintas rematch --all``)."""

from django.db import migrations

from lintas import identifiers
from lintas.matching.tokens import community_key, tokens_for


def forwards(apps, schema_editor):
    CaseIdentifier = apps.get_model("cases", "CaseIdentifier")
    Hit = apps.get_model("matching", "Hit")
    BenignValue = apps.get_model("matching", "BenignValue")
    key = community_key()
    renamed: dict[str, str] = {}
    rows = CaseIdentifier.objects.filter(type="social_handle", blind=False).exclude(value="")
    for ident in rows.only("id", "type", "value", "token", "linked_token").iterator(chunk_size=2000):
        token, linked = tokens_for(key, identifiers.normalize(ident.value, ident.type))
        if token and (token, linked) != (ident.token, ident.linked_token):
            if token != ident.token:
                renamed[ident.token] = token
            CaseIdentifier.objects.filter(pk=ident.pk).update(token=token, linked_token=linked)
    for old, new in renamed.items():
        Hit.objects.filter(token=old).update(token=new)
    for benign in BenignValue.objects.filter(type="social_handle"):
        token = tokens_for(key, identifiers.normalize(benign.value, benign.type))[0]
        if token and token != benign.token:
            BenignValue.objects.filter(pk=benign.pk).update(token=token)


class Migration(migrations.Migration):
    dependencies = [("matching", "0004_allowance_counts"), ("cases", "0005_identifier_references_unconstrained")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
