"""The case form as an officer fills it: the live preview of the paste box and the form's structure."""

import re

import pytest

from lintas.accounts.choices import Role
from lintas.cases.models import Case

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


def test_a_chosen_type_reads_lines_detection_does_not(make_user, signed_in):
    client = signed_in(make_user("knpa", roles=(Role.INVESTIGATOR,)))
    lines = "KB국민 123456-01-234567\n신한 110-234-567890"
    detected = client.post("/cases/identifier-preview/", {"identifiers": lines}).content.decode()
    assert detected.count("table-danger") == 2  # not recognised without a type
    typed = client.post(
        "/cases/identifier-preview/", {"identifiers": lines, "identifier_type": "bank_account"}
    ).content.decode()
    assert "table-danger" not in typed and "KR:004:12345601234567" in typed and "KR:088:110234567890" in typed
    form = {
        "title": "Mule accounts",
        "crime_type": "voice_phishing",
        "status": "open",
        "victim_count": "1",
        "identifiers": lines,
        "identifier_role": "mule_account",
        "distribution": "owner",
        "tlp": "amber",
        "handling_code": "H0",
        "source_reliability": "X",
        "information_accuracy": "4",
    }
    refused = client.post("/cases/new/", form)
    assert refused.status_code == 200 and Case.objects.count() == 0
    response = client.post("/cases/new/", {**form, "identifier_type": "bank_account"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert set(case.identifiers.values_list("value", "role")) == {
        ("KR:004:12345601234567", "mule_account"),
        ("KR:088:110234567890", "mule_account"),
    }


def test_identifier_types_are_named_in_the_readers_language(make_user, signed_in):
    from lintas.cases.tests.helpers import record

    officer = make_user("knpa", roles=(Role.INVESTIGATOR,))
    case, _ = record(officer, ["010-2000-0000"])
    page = signed_in(officer).get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "전화번호" in page and "<td>phone</td>" not in page
