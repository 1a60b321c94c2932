"""The case form as an officer fills it: the live preview of the paste box and the form's structure."""

import re

import pytest

from lintas.accounts.choices import Role
from lintas.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(make_user, signed_in):
    return signed_in(make_user("spf", roles=(Role.INVESTIGATOR,)))


def test_the_preview_warns_that_a_bare_handle_links_only_weakly(client):
    body = client.post(
        "/cases/identifier-preview/", {"identifiers": "@CryptoQueen88\nt.me/CryptoQueen88\nTelegram @CryptoQueen88"}
    ).content.decode()
    rows = re.findall(r"<tr class=.*?</tr>", body, re.S)
    assert len(rows) == 3
    assert "unknown:cryptoqueen88" in rows[0] and "Platform not stated" in rows[0]
    assert "Telegram @cryptoqueen88" in rows[0]  # the notation to use instead
    assert "telegram:cryptoqueen88" in rows[1] and "Platform not stated" not in rows[1]
    assert "telegram:cryptoqueen88" in rows[2] and "table-danger" not in rows[2]  # as Lintas displays it


def test_each_fieldset_of_the_case_form_has_one_legend(client):
    body = client.get("/cases/new/").content.decode()
    fieldsets = re.findall(r"<fieldset.*?</fieldset>", body, re.S)
    assert len(fieldsets) == 3
    assert all(f.count("<legend") == 1 for f in fieldsets)


def test_accounts_written_with_their_bank_are_read_with_or_without_a_chosen_type(make_user, signed_in):
    client = signed_in(make_user("knpa", roles=(Role.INVESTIGATOR,)))
    lines = "KB국민 123456-01-234567\n신한 110-234-567890\nKim Minjun 12345678"
    # Detection reads a listed bank's name before the digits (issue 17); a person's name and a number stays unknown.
    detected = client.post("/cases/identifier-preview/", {"identifiers": lines}).content.decode()
    assert detected.count("table-danger") == 1
    assert "KR:004:12345601234567" in detected and "KR:088:110234567890" in detected
    lines = "KB국민 123456-01-234567\n신한 110-234-567890"
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


def test_the_case_list_exports_what_it_shows_as_csv(make_user, signed_in):
    import csv
    import io

    from lintas.audit.choices import Action
    from lintas.audit.models import AuditEvent
    from lintas.cases.tests.helpers import record

    officer = make_user("spf", roles=(Role.INVESTIGATOR,))
    other = make_user("pntl", roles=(Role.INVESTIGATOR,))
    record(officer, ["TMvUpLWozRZnvFYn1nrFwsyoC33TdCJKiP", "+65 9123 4567"], title="=HYPERLINK(evil)",
           losses=[{"amount": "100", "currency": "USD"}, {"amount": "50.5", "currency": "USD"}])  # fmt: skip
    record(officer, [], title="Closed one", status="closed")
    record(other, [], title="PNTL private case")  # owner only: never in SPF's export
    response = signed_in(officer).get("/cases/export.csv?status=open")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["title"] for row in rows] == ["'=HYPERLINK(evil)"]  # a formula is written as text
    assert rows[0]["identifiers"] == "2" and rows[0]["losses_usd"] == "150.50" and rows[0]["agency"] == "SPF"
    event = AuditEvent.objects.filter(action=Action.CASES_EXPORTED).get()
    assert event.actor == officer and event.details == {"filters": {"status": "open"}, "cases": 1}
