"""Person names: matching keys that survive script, case, diacritics, word order and Korean romanisation.

The key is built from: Unicode NFKC; the explicit Đ/đ -> D/d mapping (Vietnamese Đ has no Unicode decomposition,
so stripping combining marks alone would keep it); transliteration of every script to ASCII with ``anyascii``
(which also drops diacritics); case folding; hyphens and apostrophes joined ("Min-su" = "Minsu"); tokens sorted.
Korean names get one key per common romanisation of the surname (Lee/Yi/Rhee/I/Ri ...) in ``details["keys"]``;
the primary key (``value``) uses the first spelling of each group, so 이민수, "Lee Min-su" and "Yi Minsu" share it.
"""

from __future__ import annotations

import re

from anyascii import anyascii

from ._text import prepare
from .types import IdentifierType, Result

__all__ = ["KOREAN_SURNAMES", "name_keys", "normalize_person_name"]

# Common romanisations of frequent Korean surnames; the first spelling is the group's representative.
KOREAN_SURNAMES: tuple[tuple[str, ...], ...] = (
    ("lee", "yi", "rhee", "i", "ri"),
    ("park", "pak", "bak"),
    ("choi", "choe"),
    ("jung", "chung", "jeong"),
    ("kang", "gang"),
    ("cho", "jo"),
    ("yoon", "yun"),
    ("lim", "im", "rim"),
    ("shin", "sin"),
    ("kwon", "gwon"),
    ("yu", "yoo", "ryu"),
    ("suh", "seo"),
    ("kim", "gim"),
)
_GROUP = {variant: group for group in KOREAN_SURNAMES for variant in group}
_HANGUL_SURNAME = {
    "이": "lee",
    "리": "lee",
    "박": "park",
    "최": "choi",
    "정": "jung",
    "강": "kang",
    "조": "cho",
    "윤": "yoon",
    "임": "lim",
    "림": "lim",
    "신": "shin",
    "권": "kwon",
    "유": "yu",
    "류": "yu",
    "서": "suh",
    "김": "kim",
}
_COMPOUND_SURNAMES = ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문")
_EXPLICIT = str.maketrans({"Đ": "D", "đ": "d", "Ɖ": "D", "ɖ": "d"})
# One romanised Korean syllable (Revised Romanization, McCune-Reischauer without breves, and common spellings).
_SYLLABLE = (
    r"(?:kk|tt|pp|ss|jj|ch|sh|g|k|n|d|t|r|l|m|b|p|s|j|h|w|y)?"
    r"(?:yae|yeo|wae|ae|ya|eo|ye|wa|oe|yo|wo|we|wi|yu|eu|ui|oo|ee|ou|a|e|o|u|i)"
    r"(?:ng|n|l|m|k|p|t|g|b)?"
)
_KOREAN_GIVEN = re.compile(rf"^(?:{_SYLLABLE}){{1,3}}$")
_JOINERS = re.compile("[-'`\u2019\u2018\u00b4]")
_NON_WORD = re.compile(r"[^a-z ]+")


def _scripts(s: str) -> list[str]:
    found: set[str] = set()
    for ch in s:
        o = ord(ch)
        if o < 0x80:
            if ch.isalpha():
                found.add("latin")
        elif 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            found.add("hangul")
        elif 0x0E00 <= o <= 0x0E7F:
            found.add("thai")
        elif 0x0E80 <= o <= 0x0EFF:
            found.add("lao")
        elif 0x1780 <= o <= 0x17FF:
            found.add("khmer")
        elif 0x1000 <= o <= 0x109F:
            found.add("myanmar")
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            found.add("han")
        elif 0x00C0 <= o <= 0x024F or 0x1E00 <= o <= 0x1EFF:
            found.add("latin")
        elif ch.isalpha():
            found.add("other")
    return sorted(found)


def _ascii_tokens(s: str) -> list[str]:
    text = anyascii(_JOINERS.sub("", s.translate(_EXPLICIT))).casefold()
    return _NON_WORD.sub(" ", text).split()


def _hangul_parts(s: str) -> tuple[str, str] | None:
    """``(surname, given)`` in Hangul for a Korean name written in Hangul, or None."""
    words = s.split()
    if len(words) == 1:
        word = words[0]
        if not 2 <= len(word) <= 5:
            return None
        cut = 2 if word[:2] in _COMPOUND_SURNAMES and len(word) >= 3 else 1
        return word[:cut], word[cut:]
    if len(words) == 2 and len(words[0]) <= 2:
        return words[0], words[1]
    if len(words) == 2 and len(words[1]) <= 2:  # given name first, as on some foreign forms
        return words[1], words[0]
    return None


def name_keys(text: str) -> tuple[str, list[str], dict[str, object]]:
    """``(primary_key, all_keys, info)`` for a name; keys are sorted-token strings, primary first."""
    s = prepare(text)
    scripts = _scripts(s)
    info: dict[str, object] = {"scripts": scripts}
    surname_group: tuple[str, ...] | None = None
    given = ""
    tokens = _ascii_tokens(s)
    plain = sorted(tokens)
    if "hangul" in scripts and set(scripts) <= {"hangul", "latin"}:
        parts = _hangul_parts(s.strip())
        if parts and all(0xAC00 <= ord(ch) <= 0xD7A3 for ch in parts[0]):
            surname, given_hangul = parts
            rep = _HANGUL_SURNAME.get(surname)
            given_latin = "".join(_ascii_tokens(given_hangul))
            if rep:
                surname_group = KOREAN_SURNAMES[[g[0] for g in KOREAN_SURNAMES].index(rep)]
                given = given_latin
            else:
                # A surname outside the groups is keyed as its romanised surname and given name are as Latin text
                # (민이 as "min i"): the key, normalised again, must give itself back, and "Min I" must match it.
                tokens = ["".join(_ascii_tokens(surname)), given_latin]
                plain = sorted(t for t in tokens if t)
    # Any other script is keyed by its transliteration, so the surname check runs on those tokens too: the key must
    # come out the same when it is normalised again (as Latin text).
    if surname_group is None and 2 <= len(tokens) <= 4:
        # Which token is the surname: one already spelt as a group's representative first, then the first
        # token, then the last, then any. Detection depends on the set of tokens, not their order, so that
        # normalising a key (whose tokens are sorted) gives the same key back.
        positions = [i for i, t in enumerate(tokens) if t in _GROUP]
        positions.sort(key=lambda i: (tokens[i] != _GROUP[tokens[i]][0], i != 0, i != len(tokens) - 1, i))
        for i in positions:
            rest = tokens[:i] + tokens[i + 1 :]
            if all(_KOREAN_GIVEN.match(t) for t in rest):
                surname_group = _GROUP[tokens[i]]
                given = "".join(rest)
                break
    if surname_group is None or not given:
        key = " ".join(plain)
        return key, [key] if key else [], info
    info["korean_surname"] = surname_group[0]
    keys = [" ".join(sorted(t for t in (variant, given) if t)) for variant in surname_group]
    spaced = " ".join(plain)
    if spaced and spaced not in keys and "hangul" not in scripts:
        keys.append(spaced)
    return keys[0], keys, info


def normalize_person_name(text: str, country: str | None = None) -> Result:
    """Normalise a person's name to a matching key; the original is kept in ``display``.

    Guarantees: the key is lower-case ASCII tokens sorted and joined by one space; scripts are transliterated
    (anyascii), diacritics removed, Đ/đ mapped to D/d; Korean surnames map to one spelling per group with every
    common romanisation listed in ``details["keys"]``. A name without letters, or with digits, is invalid.
    """
    s = prepare(text)
    display = " ".join(s.split())
    errors: list[str] = []
    if not any(ch.isalpha() for ch in s):
        errors.append("a name needs letters")
    elif any(ch.isdigit() for ch in s):
        errors.append("a name should not contain digits")
    elif len(s) > 300:
        errors.append("longer than 300 characters")
    key, keys, info = name_keys(s[:300])
    if not key and not errors:
        errors.append("no letters left after transliteration")
    info["keys"] = keys
    info["original"] = display
    return Result(
        type=IdentifierType.PERSON_NAME,
        value=key,
        display=display,
        valid=not errors,
        errors=tuple(errors),
        details=info,
        input=text,
    )
