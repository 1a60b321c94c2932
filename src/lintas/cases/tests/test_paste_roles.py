"""The paste box: a role per line (before or after the value, in English or the user's language), or the role chosen
for lines without one, or the role guessed from the type and the crime type; the live preview shows each line's role
and where it came from (issue 17, item 7)."""

import re

import pytest
from django.utils import translation

from lintas.accounts.choices import Role
from lintas.cases.models import Case
from lintas.cases.paste import CHOSEN, GIVEN, GUESSED, guess_role, read_line, read_lines

IBAN = "TL38 0080 0123 4567 8910 157"


@pytest.mark.parametrize(
    ("line", "value", "role"),
    [
        (f"beneficiary: {IBAN}", IBAN, "beneficiary_account"),
        (f"Beneficiary account: {IBAN}", IBAN, "beneficiary_account"),
        (f"beneficiary_account {IBAN}", IBAN, "beneficiary_account"),
        (f"{IBAN} (beneficiary)", IBAN, "beneficiary_account"),
        (f"{IBAN} - mule", IBAN, "mule_account"),
        ("mule 0812-345-678", "0812-345-678", "mule_account"),
        ("victim +65 9123 4567", "+65 9123 4567", "victim_phone"),
        ("+65 9123 4567, victim", "+65 9123 4567", "victim_phone"),
        ("Victim: +65 9123 4567", "+65 9123 4567", "victim_phone"),
        (f"victim {IBAN}", IBAN, "victim_account"),
        ("suspect +65 9123 4567", "+65 9123 4567", "suspect_phone"),
        ("Telegram @scam_support suspect", "Telegram @scam_support", "suspect_handle"),
        ("Telegram @scam_support victim", "Telegram @scam_support", "other"),  # never a victim's as a suspect's
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t beneficiary", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "receiving_wallet"),
        ("scammer www.fake-exchange.com", "www.fake-exchange.com", "scam_website"),
        ("mentioned +65 9123 4567", "+65 9123 4567", "mentioned"),
    ],
)
def test_a_role_before_or_after_the_value_is_the_lines_role(line, value, role):
    read = read_line(line, default_role="other", crime_type="bec", country="SG")
    assert (read.value, read.role, read.source) == (value, role, GIVEN)
    assert read.result.valid


@pytest.mark.parametrize(
    ("line", "crime_type", "role"),
    [
        (IBAN, "bec", "beneficiary_account"),
        (IBAN, "investment_fraud", "beneficiary_account"),
        (IBAN, "money_mule", "mule_account"),
        ("+82 10 2000 0000", "voice_phishing", "suspect_phone"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "investment_fraud", "receiving_wallet"),
        ("@scam_support", "romance_fraud", "suspect_handle"),
        ("boss@look-alike-supplier.example", "bec", "suspect_email"),
        ("https://fake-exchange.example/login", "crypto_fraud", "scam_website"),
        ("not an identifier at all !!", "bec", "other"),
    ],
)
def test_a_line_without_a_role_gets_the_guess_from_its_type_and_the_crime_type(line, crime_type, role):
    read = read_line(line, crime_type=crime_type, country="SG")
    assert (read.value, read.role, read.source) == (line, role, GUESSED)


def test_the_role_chosen_for_lines_without_one_applies_only_to_those():
    lines = read_lines(f"{IBAN}\nvictim +65 9123 4567\n", default_role="mule_account", country="SG")
    assert [(line.role, line.source) for line in lines] == [("mule_account", CHOSEN), ("victim_phone", GIVEN)]
    assert guess_role("bank_account", "money_mule") == "mule_account" and guess_role("imei") == "other"


def test_role_words_are_taken_off_only_when_the_rest_is_an_identifier():
    assert read_line("Other Smith").value == "Smith"  # the rest is a name: taken as "other"
    read = read_line(f"{IBAN}other")  # no separator: part of the value
    assert read.value == f"{IBAN}other" and read.source == GUESSED
    read = read_line("victim: garbage!!")  # neither is an identifier: the role is kept, the value refused later
    assert (read.value, read.role, read.result.valid) == ("garbage!!", "other", False)


@pytest.mark.parametrize(
    "line",
    [
        "beneficiary " * 200,
        "victim" + " " * 5000 + "+65 9123 4567",
        "(((( victim ))))",
        "victim:",
        ":victim",
        "\x00victim +65 9123 4567",
        "victim \u202e+65 9123 4567",
        "suspect|victim +65 9123 4567",
    ],
)
def test_hostile_lines_never_raise(line):
    read = read_line(line, country="SG")
    assert read.role  # always a role (the guess at worst)


def test_role_labels_in_the_users_language_give_the_role():
    with translation.override("ko"):
        label = _label("victim_phone")
        read = read_line(f"{label}: +65 9123 4567", country="SG")
    assert label != "Victim phone"
    assert (read.role, read.source) == ("victim_phone", GIVEN), label


def _label(role):
    from lintas.cases.choices import IdentifierRole

    return str(IdentifierRole(role).label)


@pytest.mark.django_db
def test_the_preview_shows_each_lines_role_and_where_it_came_from(make_user, signed_in):
    client = signed_in(make_user("spf", roles=(Role.INVESTIGATOR,)))
    text = f"beneficiary: {IBAN}\n+65 9123 4567\nvictim +65 8123 4567"
    body = client.post("/cases/identifier-preview/", {"identifiers": text, "crime_type": "bec"}).content.decode()
    rows = re.findall(r"<tr class=.*?</tr>", body, re.S)
    assert len(rows) == 3 and "table-danger" not in body
    assert "Beneficiary account" in rows[0] and "given on the line" in rows[0]
    assert "Suspect phone" in rows[1] and "guessed" in rows[1]
    assert "Victim phone" in rows[2] and "given on the line" in rows[2]
    chosen = client.post(
        "/cases/identifier-preview/", {"identifiers": "+65 9123 4567", "identifier_role": "victim_phone"}
    ).content.decode()
    assert "Victim phone" in chosen and "chosen for lines without one" in chosen
    hostile = client.post("/cases/identifier-preview/", {"identifiers": "x", "identifier_role": "nonsense"})
    assert hostile.status_code == 200 and "guessed" in hostile.content.decode()


FORM = {
    "title": "Golden hour",
    "crime_type": "bec",
    "status": "open",
    "victim_count": "1",
    "distribution": "owner",
    "tlp": "amber",
    "handling_code": "H0",
    "source_reliability": "X",
    "information_accuracy": "4",
}


@pytest.mark.django_db
def test_the_case_form_records_each_lines_role_without_a_choice_from_the_list(make_user, signed_in):
    client = signed_in(make_user("spf", roles=(Role.INVESTIGATOR,)))
    body = client.get("/cases/new/").content.decode()
    assert "Role for lines without one" in body and "Guess from the type and the case (default)" in body
    text = f"{IBAN}\nmule 0812-345-678\nvictim +65 9123 4567\n+65 8123 4567"
    response = client.post("/cases/new/", {**FORM, "identifiers": text})
    assert response.status_code == 302
    case = Case.objects.get()
    assert dict(case.identifiers.values_list("raw", "role")) == {
        IBAN: "beneficiary_account",
        "0812-345-678": "mule_account",
        "+65 9123 4567": "victim_phone",
        "+65 8123 4567": "suspect_phone",
    }
    refused = client.post("/cases/new/", {**FORM, "identifiers": IBAN, "identifier_role": "nonsense"})
    assert refused.status_code == 200 and Case.objects.count() == 1


@pytest.mark.django_db
def test_identifiers_added_on_the_case_page_take_roles_per_line(make_user, signed_in):
    user = make_user("spf", roles=(Role.INVESTIGATOR,))
    client = signed_in(user)
    client.post("/cases/new/", {**FORM, "crime_type": "voice_phishing", "identifiers": ""})
    case = Case.objects.get()
    assert "Role for lines without one" in client.get(f"/cases/{case.pk}/").content.decode()
    client.post(f"/cases/{case.pk}/identifiers/", {"identifiers": "+82 10 2000 0000\nvictim +65 9123 4567", "role": ""})
    assert dict(case.identifiers.values_list("raw", "role")) == {
        "+82 10 2000 0000": "suspect_phone",
        "+65 9123 4567": "victim_phone",
    }


@pytest.mark.parametrize(
    ("language", "line", "role"),
    [
        ("en", "Suspect person +65 9123 4567", "suspect_phone"),  # a person's label before a phone
        ("ko", "피의자 010-1234-5678", "suspect_phone"),  # the same in Korean ("Suspect person" is 피의자)
        ("en", "Victim account +65 9123 4567", "victim_phone"),
        ("en", "Suspect phone +65 9123 4567", "suspect_phone"),  # a label that fits stays as given
        ("en", "Suspect person Somchai Jaidee", "suspect_person"),
    ],
)
def test_a_role_label_before_a_value_of_another_type_gives_that_types_role(language, line, role):
    with translation.override(language):
        reading = read_line(line, country="SG" if "+65" in line else "KR")
    assert (reading.role, reading.source) == (role, GIVEN)
