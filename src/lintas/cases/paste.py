"""The paste box's lines: each line's value and role (issue 17, item 7; decision 0049).

A line may carry its role as words before or after the value ("beneficiary: TL38 0080 …", "mule 0812-345-678",
"+65 9123 4567 (victim)"), in English or the user's language: a role's label ("Beneficiary account") or its name
(``beneficiary_account``) gives that role; a short word ("victim", "suspect", "mule" …) gives the role of that kind for
the value's type (a victim's phone is "Victim phone", a victim's account "Victim account"). A line without one takes
the role chosen for such lines or, by default, the role guessed from its type and the case's crime type.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import pgettext

from lintas import identifiers
from lintas.cases.choices import CrimeType, IdentifierRole

__all__ = ["CHOSEN", "GIVEN", "GUESSED", "PasteLine", "guess_role", "read_line", "read_lines"]

R = IdentifierRole
GIVEN, CHOSEN, GUESSED = "given", "chosen", "guessed"  # where a line's role came from
MAX_LINE = 600

_MONEY = {"bank_account", "payment_alias", "payment_card", "bic"}
_PERSON = {"person_name", "national_id", "passport"}
_WEB = {"url", "domain", "ip"}

# The role a value of each type most likely has in a case: the beneficiary of the money, the suspect's contacts.
_GUESS = {
    **dict.fromkeys(_MONEY, R.BENEFICIARY_ACCOUNT),
    "crypto_wallet": R.RECEIVING_WALLET,
    "phone": R.SUSPECT_PHONE,
    "social_handle": R.SUSPECT_HANDLE,
    "email": R.SUSPECT_EMAIL,
    **dict.fromkeys(_WEB, R.SCAM_WEBSITE),
    **dict.fromkeys(_PERSON, R.SUSPECT_PERSON),
}
# ... and where the crime type says otherwise: a money-mule network's accounts are mule accounts.
_GUESS_BY_CRIME = {CrimeType.MONEY_MULE: {**dict.fromkeys(_MONEY, R.MULE_ACCOUNT)}}

# Short role words: the role of that kind for each type (None: the type's guess).
_KINDS: dict[str, dict[str, str]] = {
    "beneficiary": {**dict.fromkeys(_MONEY, R.BENEFICIARY_ACCOUNT), "crypto_wallet": R.RECEIVING_WALLET},
    "mule": {**dict.fromkeys(_MONEY, R.MULE_ACCOUNT), "crypto_wallet": R.RECEIVING_WALLET},
    "victim": {
        **dict.fromkeys(_MONEY, R.VICTIM_ACCOUNT),
        "crypto_wallet": R.VICTIM_ACCOUNT,
        "phone": R.VICTIM_PHONE,
        "*": R.OTHER,  # a victim's e-mail or handle: never a suspect's
    },
    "suspect": {
        **dict.fromkeys(_MONEY, R.BENEFICIARY_ACCOUNT),
        "crypto_wallet": R.SUSPECT_WALLET,
        "phone": R.SUSPECT_PHONE,
        "social_handle": R.SUSPECT_HANDLE,
        "email": R.SUSPECT_EMAIL,
        **dict.fromkeys(_WEB, R.SCAM_WEBSITE),
        **dict.fromkeys(_PERSON, R.SUSPECT_PERSON),
    },
    "seized": {"*": R.SEIZED_DEVICE},
    "mentioned": {"*": R.MENTIONED},
    "other": {"*": R.OTHER},
}


def _words() -> dict[str, str]:
    """Short role words (lower case) -> kind, in English and in the active language."""
    english = {
        "beneficiary": "beneficiary|payee|recipient|receiving",
        "mule": "mule",
        "victim": "victim|victim's",
        "suspect": "suspect|suspect's|scammer|scam|caller|fraudster|offender",
        "seized": "seized",
        "mentioned": "mentioned",
        "other": "other",
    }
    # Translators: words a police officer may write before or after an identifier to give its role, separated by |.
    translated = {
        "beneficiary": pgettext("role words on a pasted line", "beneficiary|payee|recipient|receiving"),
        "mule": pgettext("role words on a pasted line", "mule"),
        "victim": pgettext("role words on a pasted line", "victim|victim's"),
        "suspect": pgettext("role words on a pasted line", "suspect|suspect's|scammer|scam|caller|fraudster|offender"),
        "seized": pgettext("role words on a pasted line", "seized"),
        "mentioned": pgettext("role words on a pasted line", "mentioned"),
        "other": pgettext("role words on a pasted line", "other"),
    }
    words: dict[str, str] = {}
    for table in (english, translated):
        for kind, text in table.items():
            for word in text.split("|"):
                if word.strip():
                    words[word.strip().casefold()] = kind
    return words


@functools.lru_cache(maxsize=16)
def _vocabulary(language: str | None) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """For ``language``: the patterns of a role before and after a value, and each phrase's role or kind."""
    phrases: dict[str, str] = {}
    for value, label in R.choices:
        with translation.override("en"):
            phrases[str(label).casefold()] = value
        phrases[str(label).casefold()] = value
        phrases[value] = value
        phrases[value.replace("_", " ")] = value
    for word, kind in _words().items():
        phrases.setdefault(word, kind)
    alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    dash = "\\-\u2013\u2014"  # hyphen, en and em dash
    before = re.compile(rf"^\s*[(\[]?(?P<role>{alternatives})[)\]]?\s*(?:[:={dash}]\s*|\s+)(?P<value>\S.*)$", re.I)
    after = re.compile(
        rf"^(?P<value>.*?\S)(?:\s*[,;]\s*|\s+[{dash}]\s+|\s*[(\[]|\s+)(?P<role>{alternatives})[)\]]?\s*$", re.I
    )
    return before, after, phrases


@dataclass(frozen=True)
class PasteLine:
    line: str  # as pasted
    value: str  # the identifier, without its role words
    role: str
    source: str  # GIVEN on the line, CHOSEN for lines without one, GUESSED from the type and crime type
    result: identifiers.Result

    @property
    def role_label(self) -> str:
        return str(R(self.role).label)


def guess_role(kind: str, crime_type: str = "") -> str:
    """The most likely role of an identifier of type ``kind`` in a case of ``crime_type``."""
    return _GUESS_BY_CRIME.get(crime_type, {}).get(kind) or _GUESS.get(kind, R.OTHER)


_TYPED = {kind for table in _KINDS.values() for kind in table} - {"*"}


def _fits(role: str, kind: str) -> bool:
    """``role`` is one an identifier of type ``kind`` can have (a phone is no "Suspect person")."""
    if kind not in _TYPED and kind not in _GUESS:
        return True  # a type no table names (an unreadable value): the role as given
    return guess_role(kind) == role or any(role in (table.get(kind), table.get("*")) for table in _KINDS.values())


def _role_for(phrase: str, kind: str, crime_type: str) -> str:
    role_or_kind = _vocabulary(translation.get_language())[2][phrase.casefold()]
    if role_or_kind in R.values:
        if _fits(role_or_kind, kind):
            return role_or_kind
        # A role's label written before a value of another type ("피의자 010-…", "Suspect person +65 …"): the same
        # kind of role for this type (the suspect's phone).
        for table in _KINDS.values():
            if role_or_kind in table.values():
                return table.get(kind) or table.get("*") or role_or_kind
        return role_or_kind
    table = _KINDS[role_or_kind]
    return table.get(kind) or table.get("*") or guess_role(kind, crime_type)


def read_line(
    line: str, *, default_role: str = "", crime_type: str = "", kind: str | None = None, country: str | None = None
) -> PasteLine:
    """One pasted line: its value, the role given on it (or ``default_role``, or the guess) and its reading."""
    line = line.strip()
    before, after, _phrases = _vocabulary(translation.get_language())
    value, phrase = line, ""
    # The role words are taken off when what remains is read as an identifier, or when the whole line is not one
    # either (its role is kept, its value shown as not valid). Past MAX_LINE characters a line is only a value.
    for pattern in (before, after) if len(line) <= MAX_LINE else ():
        m = pattern.match(line)
        if m and m.group("value").strip():
            candidate = m.group("value").strip()
            reading = identifiers.normalize(candidate, kind or None, country)
            if reading.valid or not identifiers.normalize(line, kind or None, country).valid:
                value, phrase = candidate, m.group("role")
                result = reading
                break
    else:
        result = identifiers.normalize(line, kind or None, country)
    type_ = str(result.type)
    if phrase:
        role, source = _role_for(phrase, type_, crime_type), GIVEN
    elif default_role:
        role, source = default_role, CHOSEN
    else:
        role, source = guess_role(type_, crime_type), GUESSED
    return PasteLine(line, value, str(role), source, result)


def read_lines(
    text: str, *, default_role: str = "", crime_type: str = "", kind: str | None = None, country: str | None = None
) -> list[PasteLine]:
    """Every non-empty line of ``text`` (see :func:`read_line`)."""
    return [
        read_line(line, default_role=default_role, crime_type=crime_type, kind=kind, country=country)
        for line in text.splitlines()
        if line.strip()
    ]
