"""The case form as an officer fills it: the live preview of the paste box and the form's structure."""

import re

import pytest

from lintas.accounts.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(make_user, signed_in):
    return signed_in(make_user("spf", roles=(Role.INVESTIGATOR,)))


def test_the_preview_warns_that_a_bare_handle_will_not_match_a_platform(client):
    body = client.post(
        "/cases/identifier-preview/", {"identifiers": "@CryptoQueen88\nt.me/CryptoQueen88"}
    ).content.decode()
    rows = re.findall(r"<tr class=.*?</tr>", body, re.S)
    assert len(rows) == 2
    assert "unknown:cryptoqueen88" in rows[0] and "Platform unknown" in rows[0]
    assert "t.me/cryptoqueen88" in rows[0]  # the notation to use instead
    assert "telegram:cryptoqueen88" in rows[1] and "Platform unknown" not in rows[1]


def test_each_fieldset_of_the_case_form_has_one_legend(client):
    body = client.get("/cases/new/").content.decode()
    fieldsets = re.findall(r"<fieldset.*?</fieldset>", body, re.S)
    assert len(fieldsets) == 3
    assert all(f.count("<legend") == 1 for f in fieldsets)
