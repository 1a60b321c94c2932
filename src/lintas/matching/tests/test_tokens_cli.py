"""``lintas tokens make``: blind tokens made without Django or a database match values recorded in the clear."""

import csv
import os
import subprocess
import sys

import pytest

from lintas.accounts.choices import Role
from lintas.cases.tests.helpers import record
from lintas.matching.tokens_cli import main

CSV = (
    "value,type,country,role\n"
    "081-234-5678,phone,TH,suspect_phone\n"
    "promptpay:0898765432,,,beneficiary_account\n"
    "12,,,\n"
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\n"
    "010-2000-0000,phone,XYZ,\n"
)


def make(tmp_path, text=CSV, *args):
    source, out, errors = tmp_path / "in.csv", tmp_path / "tokens.csv", tmp_path / "errors.txt"
    source.write_text(text, encoding="utf-8")
    code = main(["make", str(source), "--out", str(out), "--errors", str(errors), *args])
    return code, list(csv.DictReader(out.open())), errors.read_text().splitlines()


def test_makes_tokens_and_lists_invalid_lines_with_their_numbers(tmp_path):
    code, rows, errors = make(tmp_path)
    assert code == 1
    assert [(r["type"], r["role"]) for r in rows] == [
        ("phone", "suspect_phone"),
        ("payment_alias", "beneficiary_account"),
        ("phone", "beneficiary_account"),  # the phone behind the PromptPay alias: the family still matches
        ("crypto_wallet", "other"),
    ]
    assert all(len(r["token"]) == 32 and int(r["token"], 16) >= 0 for r in rows)
    assert [line.split(":")[0] for line in errors] == ["line 4", "line 6"]
    assert "'12'" in errors[0] and "XYZ" in errors[1]


def test_header_is_optional_and_the_default_country_applies(tmp_path):
    code, rows, errors = make(tmp_path, "010-2000-0000\n", "--country", "KR")
    _, with_plus, _ = make(tmp_path, "value\n+82 10 2000 0000\n")
    assert code == 0 and errors == [] and rows[0]["token"] == with_plus[0]["token"]


@pytest.mark.django_db
def test_a_blind_token_matches_the_same_value_recorded_by_another_agency(tmp_path, make_user):
    rtp = make_user("rtp", roles=(Role.INVESTIGATOR,))
    knpa = make_user("knpa", roles=(Role.INVESTIGATOR,))
    record(rtp, [{"value": "081-234-5678", "role": "suspect_phone"}, "promptpay:089-876-5432"])
    _, rows, _ = make(tmp_path)
    blind = [{"token": r["token"], "type": r["type"], "role": r["role"]} for r in rows]
    case, outcome = record(knpa, blind)
    assert case.identifiers.filter(blind=True, value="").count() == 4
    # the phone; the alias, and the phone behind it (the alias's linked token): three pairs with RTP's two
    assert len(outcome.hits) == 3
    assert {h.left_agency.code for h in outcome.hits} | {h.right_agency.code for h in outcome.hits} == {"rtp", "knpa"}


def test_runs_without_django_and_uses_the_community_key(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("+66 81 234 5678\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    probe = (
        "import sys; from lintas.__main__ import main\n"
        "try:\n    main(['lintas', 'tokens', 'make', sys.argv[1]])\n"
        "finally:\n    assert 'django' not in sys.modules, 'the token CLI imported Django'\n"
    )
    default = subprocess.run([sys.executable, "-c", probe, str(source)], env=env, capture_output=True, text=True)
    assert default.returncode == 0, default.stderr
    assert "development key" in default.stderr  # tokens that would match nothing on a server are not made silently
    env["LINTAS_COMMUNITY_KEY"] = "11" * 32
    keyed = subprocess.run(
        [sys.executable, "-m", "lintas", "tokens", "make", str(source)], env=env, capture_output=True
    )
    assert keyed.returncode == 0, keyed.stderr
    assert b"development key" not in keyed.stderr
    assert default.stdout.splitlines()[1] != keyed.stdout.decode().splitlines()[1]
    env["LINTAS_COMMUNITY_KEY"] = "not hex"
    refused = subprocess.run(
        [sys.executable, "-m", "lintas", "tokens", "make", str(source)], env=env, capture_output=True
    )
    assert refused.returncode == 2 and b"hexadecimal" in refused.stderr
