"""The UI catalogues: Korean is complete, the other languages cover the page shell, and the .mo files match the .po.

The committed .mo files are what runs (no gettext is needed on a fresh machine), so a .po edited without
``make messages`` / ``compilemessages`` would silently not show. These tests read the .po files with a small parser
and the .mo files with a small reader of the GNU format, and compare them, then ask Django's gettext.
"""

import ast
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TRANSLATED = ["ko", "ms", "id", "th", "vi", "km", "lo", "my", "pt"]
COMPLETE = ["ko", "km", "lo", "my", "pt"]
# Configured and selectable but not yet translated: move each to TRANSLATED once its messages are.
PENDING: list[str] = []
# Portuguese inflects nouns for number (one form for 1, another for the rest); the others do not.
PLURAL_FORMS = {"pt": ("nplurals=2;plural=(n!=1);", 2)}
# Every string of the page shell: base template, sign-in, second factor, dashboard, directory, profile, messages.
SHELL = [
    "Skip to main content",
    "DEMO",
    "demonstration data only; second factor optional. Never enter real case data here.",
    "Main",
    "Toggle navigation",
    "My work",
    "Members",
    "Users",
    "Audit trail",
    "Sign out",
    "mutual assistance against cyber-financial crime",
    "Language",
    "Change",
    "Lintas",
    "Sign in",
    "Sign in to Lintas",
    "Username",
    "Password",
    "Wrong username or password. After %(count)d failed attempts an account is locked for %(minutes)d minutes.",
    "Your session has ended. Sign in again.",
    "You were signed out after %(minutes)d minutes without activity.",
    "Set up your second factor",
    "Enter the 6-digit code the app shows.",
    "Key for manual entry:",
    "Confirm and continue",
    "Second factor",
    "Enter your code",
    "Code",
    "Verify",
    "That code is not valid. Check the time on your phone and try again.",
    "Your recovery codes",
    "Welcome, %(name)s",
    "My hits",
    "Requests",
    "My cases",
    "Member agencies",
    "Agency",
    "Country",
    "Kind",
    "Languages",
    "Time zone",
    "Profile",
    "Language and time zone",
    "Save",
    "Your preferences are saved.",
    "API tokens",
    "You are signed out on every device.",
    # The error pages (lintas.core.errors), shown to anyone in their language.
    "Not found",
    "There is nothing here, or it is not shared with your agency.",
    "Back to my work",
    "Something went wrong",
    "Lintas could not complete this request. Nothing was changed by the failed step. Please try again; if it keeps "
    "happening, give your administrator the time of the error.",
    "Back to Lintas",
    "Bad request",
    "This form has expired",
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural (or None), msgstr (a list: one item, or one per form), flags."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line):
                keyword, index, text = match.groups()
                key = (keyword, int(index or 0))
                value = ast.literal_eval(text)
                if keyword == "msgstr":
                    entry["msgstr"][key[1]] = value
                else:
                    entry[keyword] = value
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if key[0] == "msgstr":
                    entry["msgstr"][key[1]] += value
                else:
                    entry[key[0]] += value
            else:
                raise AssertionError(f"{path}: cannot read {line!r}")
        entry["msgstr"] = [entry["msgstr"][i] for i in sorted(entry["msgstr"])]
        if entry["msgid"] is not None and not entry["obsolete"]:
            entries.append(entry)
    return entries


def read_mo(path: Path) -> dict:
    """The catalogue of a GNU .mo file: msgid -> msgstr, and msgid -> [forms] for plural entries."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    assert struct.unpack(order + "I", data[:4])[0] == 0x950412DE, f"{path} is not a .mo file"
    _revision, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    catalogue = {}
    for i in range(count):
        o_len, o_off = struct.unpack(order + "2I", data[originals + 8 * i : originals + 8 * i + 8])
        t_len, t_off = struct.unpack(order + "2I", data[translations + 8 * i : translations + 8 * i + 8])
        original = data[o_off : o_off + o_len].decode("utf-8")
        text = data[t_off : t_off + t_len].decode("utf-8")
        if "\x00" in original:
            catalogue[original.split("\x00")[0]] = text.split("\x00")
        else:
            catalogue[original] = text
    return catalogue


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def header(entries: list[dict]) -> dict:
    assert entries[0]["msgid"] == "", "the catalogue has no header entry"
    lines = entries[0]["msgstr"][0].splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def messages(lang: str) -> list[dict]:
    return [entry for entry in parse_po(po_path(lang)) if entry["msgid"]]


def is_translated(entry: dict) -> bool:
    return all(entry["msgstr"]) and bool(entry["msgstr"]) and "fuzzy" not in entry["flags"]


def test_every_configured_language_has_a_catalogue():
    for code, _name in settings.LANGUAGES:
        assert po_path(code).exists(), f"no catalogue for {code}"
        assert po_path(code).with_suffix(".mo").exists(), f"{code} is not compiled"
    assert set(TRANSLATED) | set(PENDING) | {"en"} == {code for code, _name in settings.LANGUAGES}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_header_and_plural_forms(lang):
    entries = parse_po(po_path(lang))
    meta = header(entries)
    assert "fuzzy" not in entries[0]["flags"], "a fuzzy header is dropped by msgfmt, and with it the plural rule"
    assert meta["Language"] == lang
    assert meta["Content-Type"] == "text/plain; charset=UTF-8"
    rule, forms = PLURAL_FORMS.get(lang, ("nplurals=1;plural=0;", 1))
    assert meta["Plural-Forms"].replace(" ", "") == rule
    plural_entries = [entry for entry in entries[1:] if entry["msgid_plural"] is not None]
    assert plural_entries, "expected some plural messages"
    for entry in plural_entries:
        assert len(entry["msgstr"]) == forms, f"{lang}: {entry['msgid']!r} must have exactly {forms} form(s)"


@pytest.mark.parametrize("lang", COMPLETE)
def test_catalogue_is_complete(lang):
    entries = messages(lang)
    assert len(entries) > 100
    untranslated = [entry["msgid"] for entry in entries if not all(entry["msgstr"]) or not entry["msgstr"]]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert not untranslated, f"{lang}: untranslated messages: {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy messages (ignored at run time): {fuzzy}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_fuzzy_entries(lang):
    fuzzy = [entry["msgid"] for entry in messages(lang) if "fuzzy" in entry["flags"]]
    assert not fuzzy, f"{lang}: fuzzy messages are ignored at run time; check and unflag them: {fuzzy}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_page_shell_is_translated(lang):
    by_id = {entry["msgid"]: entry for entry in messages(lang)}
    missing = [msgid for msgid in SHELL if msgid not in by_id]
    assert not missing, f"shell strings no longer in the catalogue (update SHELL or run makemessages): {missing}"
    untranslated = [msgid for msgid in SHELL if not is_translated(by_id[msgid])]
    assert not untranslated, f"{lang}: shell strings not translated: {untranslated}"
    with translation.override(lang):
        for msgid in SHELL:
            if msgid not in {"Lintas", "DEMO"}:  # the name, and a label some languages keep as it is
                assert translation.gettext(msgid) != msgid, f"{lang}: {msgid!r} shows in English"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_are_kept(lang):
    for entry in messages(lang):
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        if entry["msgid_plural"] is not None:
            assert sorted(PLACEHOLDER.findall(entry["msgid_plural"])) == wanted
        for text in entry["msgstr"]:
            if text:
                assert sorted(PLACEHOLDER.findall(text)) == wanted, f"{lang}: {entry['msgid']!r} -> {text!r}"


@pytest.mark.parametrize("lang", [code for code, _name in settings.LANGUAGES])
def test_compiled_catalogue_matches_po(lang):
    """The committed .mo holds exactly the translated, non-fuzzy entries of the .po (so it was compiled after edits)."""
    expected = {}
    for entry in messages(lang):
        if not is_translated(entry):
            continue
        key = f"{entry['msgctxt']}\x04{entry['msgid']}" if entry.get("msgctxt") is not None else entry["msgid"]
        expected[key] = entry["msgstr"] if entry["msgid_plural"] is not None else entry["msgstr"][0]
    compiled = read_mo(po_path(lang).with_suffix(".mo"))
    compiled.pop("", None)
    differences = sorted(
        msgid for msgid in expected.keys() | compiled.keys() if expected.get(msgid) != compiled.get(msgid)
    )
    assert not differences, f"{lang}: the .mo is out of date with the .po (run compilemessages): {differences[:10]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_django_returns_every_translation(lang):
    with translation.override(lang):
        for entry in messages(lang):
            if not is_translated(entry):
                continue
            context, forms = entry.get("msgctxt"), entry["msgstr"]
            if entry["msgid_plural"] is None:
                got = (
                    translation.pgettext(context, entry["msgid"])
                    if context is not None
                    else translation.gettext(entry["msgid"])
                )
                assert got == forms[0]
            else:
                for n in (1, 2, 5):
                    expected = forms[0] if len(forms) == 1 else forms[0 if n == 1 else 1]  # pt: n != 1
                    assert translation.ngettext(entry["msgid"], entry["msgid_plural"], n) == expected


def test_korean_at_run_time():
    with translation.override("ko"):
        assert translation.gettext("Sign in") == "로그인"
        assert translation.gettext("Audit trail") == "감사 기록"
        assert translation.gettext("Liaison officer") == "연락관"
        text = translation.ngettext("%(counter)s active user.", "%(counter)s active users.", 3)
        assert text % {"counter": 3} == "활성 사용자 3명."


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("lang", [code for code, _name in settings.LANGUAGES])
def test_msgfmt_accepts_the_catalogue(lang):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(po_path(lang))], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
