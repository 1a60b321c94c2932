"""``lintas identify``: through the installed console script and through ``main()`` directly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lintas.identifiers.cli import main

LINTAS = Path(sys.executable).with_name("lintas")
JSON_KEYS = ["input", "type", "value", "display", "country", "valid", "errors", "warnings", "details"]


def run(*args, stdin=None):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [str(LINTAS), "identify", *args], input=stdin, capture_output=True, text=True, timeout=120, env=env
    )


def test_console_script_json_one_object_per_value():
    done = run("--json", "--country", "KR", "010-1234-5678", "not an identifier !!", "TL38 0080 0123 4567 8910 157")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [list(obj) for obj in lines] == [JSON_KEYS] * 3
    assert lines[0]["value"] == "+821012345678" and lines[0]["valid"] is True
    assert lines[1]["valid"] is False and lines[1]["errors"]
    assert lines[2]["type"] == "bank_account" and lines[2]["value"] == "TL380080012345678910157"


def test_console_script_text_from_stdin_with_offsets():
    text = "Pay TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW on 2024-03-15, or WhatsApp +60 12-345 6789."
    done = run("--text", "-", "--json", stdin=text)
    assert done.returncode == 0, done.stderr
    found = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(f["type"], f["value"]) for f in found] == [
        ("crypto_wallet", "tron:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW"),
        ("social_handle", "whatsapp:+60123456789"),
    ]
    for item in found:
        assert list(item) == [*JSON_KEYS, "start", "end"]
        assert text[item["start"] : item["end"]] == item["input"]


def test_console_script_bad_usage_exits_2():
    assert run("--type", "telephone", "x").returncode == 2
    assert run().returncode == 2
    assert run("--country", "Korea", "x").returncode == 2


def test_main_table_output(capsys):
    code = main(["--country", "KR", "010-1234-5678", "이민수", "2024-03-15"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].split() == ["input", "type", "value", "valid", "country", "notes"]
    assert out[1].split()[:5] == ["010-1234-5678", "phone", "+821012345678", "yes", "KR"]
    assert out[2].split()[:4] == ["이민수", "person_name", "lee", "minsu"]
    assert "NO" in out[3] and "a date, not an identifier" in out[3]
    # Hangul is two columns wide: the "type" column starts at the same screen column on every row.
    from lintas.identifiers.cli import _width

    starts = {_width(line[: line.index(word)]) for line, word in zip(out[1:3], ["phone", "person_name"], strict=True)}
    assert len(starts) == 1


def test_main_type_option_and_json(capsys):
    assert main(["--type", "phone", "--json", "+66 81 234 5678"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["type"] == "phone"
    assert obj["details"]["line_type"] == "mobile"


def test_main_invalid_value_still_exits_0(capsys):
    assert main(["--type", "imei", "490154203237519"]) == 0
    assert "Luhn" in capsys.readouterr().out


def test_main_text_file(tmp_path, capsys):
    path = tmp_path / "statement.txt"
    path.write_text("연락처 010-1234-5678, 텔레그램 @safe_account_kr", encoding="utf-8")
    assert main(["--text", str(path), "--json"]) == 0
    values = [json.loads(line)["value"] for line in capsys.readouterr().out.splitlines()]
    assert values == ["+821012345678", "telegram:safe_account_kr"]


def test_main_card_never_printed_in_full(capsys):
    assert main(["4111 1111 1111 1111"]) == 0
    assert main(["--json", "4111-1111-1111-1111"]) == 0
    out = capsys.readouterr().out
    assert "4111 1111 1111 1111" not in out
    assert "4111111111111111" not in out
    assert "4111-1111-1111-1111" not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--type", "bogus", "x"],
        [],
        ["--text", "/nonexistent/file.txt"],
        ["--text", "-", "value"],
        ["--country", "XYZW", "1"],
    ],
)
def test_main_usage_errors_return_2(argv, capsys):
    assert main(argv) == 2
    assert capsys.readouterr().err


def test_main_help_returns_0(capsys):
    assert main(["--help"]) == 0
    assert "lintas identify" in capsys.readouterr().out
