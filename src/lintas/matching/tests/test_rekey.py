"""Rotating the community key keeps every match and lists blind identifiers to re-submit."""

import io

import pytest
from django.core.management import CommandError, call_command

from lintas import identifiers
from lintas.cases.models import CaseIdentifier
from lintas.cases.tests.helpers import record
from lintas.matching.models import Hit
from lintas.matching.tokens import community_key, token_for, tokens_for

pytestmark = pytest.mark.django_db
NEW_KEY = "cd" * 32


def test_rekey_keeps_matches_and_lists_blind_identifiers(make_user, monkeypatch):
    knpa, cnp, rmp = make_user("knpa"), make_user("cnp"), make_user("rmp")
    record(knpa, ["promptpay:0812345678"])
    record(cnp, ["+66 81 234 5678"])
    blind_token, _ = tokens_for(community_key(), identifiers.normalize("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"))
    record(rmp, [{"token": blind_token, "type": "crypto_wallet"}])
    assert Hit.objects.count() == 1
    phone_key = tokens_for(community_key(), identifiers.normalize("+66812345678", "phone"))[0]
    assert Hit.objects.get().token == phone_key  # a hit records the key its two identifiers share
    monkeypatch.setenv("LINTAS_COMMUNITY_KEY_NEW", NEW_KEY)
    out = io.StringIO()
    call_command("rekey_tokens", stdout=out)
    assert "rmp: 1 blind identifier(s)" in out.getvalue()
    phone = CaseIdentifier.objects.get(case__owner_agency__code="cnp")
    assert phone.token == token_for(bytes.fromhex(NEW_KEY), "phone:+66812345678")
    alias = CaseIdentifier.objects.get(case__owner_agency__code="knpa")
    assert alias.linked_token == phone.token  # the family link survives the new key
    hit = Hit.objects.get()
    assert hit.token == phone.token  # the key the alias and the phone share (the alias's linked one), new key
    assert "recomputed 2 identifier token(s), 0 onward transfer(s)" in out.getvalue()
    # a case recorded after the swap still matches the rekeyed ones
    monkeypatch.setenv("LINTAS_COMMUNITY_KEY", NEW_KEY)
    _, outcome = record(make_user("spf"), ["+66812345678"])
    assert len(outcome.hits) == 2


def test_rekey_refuses_a_missing_or_short_key(monkeypatch):
    monkeypatch.setenv("LINTAS_COMMUNITY_KEY_NEW", "abcd")
    with pytest.raises(CommandError, match="64 hex"):
        call_command("rekey_tokens")
