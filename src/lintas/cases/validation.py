"""One validation of a case, used by the form, the API and bulk ingest alike.

``clean_case`` takes plain data (a dict as parsed from a form, JSON or one NDJSON line) and returns a ``CleanCase``
or raises ``CaseInvalid`` with every problem by field, so a bad row is refused whole with all its reasons.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from lintas import identifiers
from lintas.agencies.models import Agency
from lintas.cases.choices import (
    CaseStatus,
    CrimeType,
    Distribution,
    HandlingCode,
    IdentifierRole,
    InformationAccuracy,
    SourceReliability,
    Tlp,
)
from lintas.cases.models import Case, CaseLoss
from lintas.core.validation import (
    bad_text,
    clean_currency,
    clean_date,
    clean_decimal,
    clean_integer,
    clean_text,
    countries,
)
from lintas.matching.tokens import is_weak

__all__ = [
    "CaseInvalid",
    "CleanCase",
    "CleanIdentifier",
    "CleanLoss",
    "agency_ids_by_code",
    "clean_case",
    "remember_agency_ids",
]

MAX_IDENTIFIERS = 5000
_TOKEN_CHARS = set("0123456789abcdef")
MAX_LIST_ITEMS, MAX_LIST_ITEM_CHARS = 100, 200  # tags, countries and age bands of a case


class CaseInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class CleanIdentifier:
    result: identifiers.Result | None  # None for a blind token
    role: str
    first_seen_on: dt.date | None = None
    last_seen_on: dt.date | None = None
    token: str = ""  # a blind token as submitted
    type: str = ""


@dataclass
class CleanLoss:
    amount: Decimal
    currency: str
    occurred_on: dt.date | None


@dataclass
class CleanCase:
    title: str
    crime_type: str
    external_reference: str = ""
    modus_operandi: list[str] = field(default_factory=list)
    status: str = CaseStatus.OPEN
    first_incident_on: dt.date | None = None
    last_incident_on: dt.date | None = None
    countries: list[str] = field(default_factory=list)
    narrative: str = ""
    victim_count: int = 0
    victim_nationalities: list[str] = field(default_factory=list)
    victim_age_bands: list[str] = field(default_factory=list)
    distribution: str = Distribution.OWNER
    shared_with: list[int] = field(default_factory=list)
    tlp: str = Tlp.AMBER
    handling_code: str = HandlingCode.H0
    handling_text: str = ""
    source_reliability: str = SourceReliability.X
    information_accuracy: str = InformationAccuracy.FOUR
    purpose: str = ""
    legal_basis: str = ""
    review_on: dt.date | None = None
    hide_owner_in_hits: bool = False
    losses: list[CleanLoss] = field(default_factory=list)
    identifiers: list[CleanIdentifier] = field(default_factory=list)


_agency_cache: dict[str, int] = {}


def agency_ids_by_code(refresh: bool = False) -> dict[str, int]:
    """Agency ids by code, cached per process (bulk ingest asks for every row); refreshed on a miss."""
    if refresh or not _agency_cache:
        _agency_cache.clear()
        _agency_cache.update(Agency.objects.values_list("code", "id"))
    return _agency_cache


def remember_agency_ids(ids: dict[str, int]) -> None:
    """Fill the cache of :func:`agency_ids_by_code` with ``ids`` read by another process (an ingest worker)."""
    _agency_cache.clear()
    _agency_cache.update(ids)


class _Errors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(str(message))


def _text(data, name, errors, *, required=False) -> str:
    """Text for the case column ``name``: its length, NUL bytes and type checked against the model field."""
    return clean_text(Case, name, data.get(name), errors, required=required)


@functools.cache
def _values(choices) -> frozenset[str]:
    """The values of a choices enum, computed once (``.values`` builds a list with labels on every call)."""
    return frozenset(choices.values)


def _choice(data, name, choices, errors, default):
    value = data.get(name) or default
    if not isinstance(value, str) or value not in _values(choices):
        errors.add(name, _("Not one of: %(values)s") % {"values": ", ".join(choices.values)})
        return default
    return value


def _date(value, name, errors, latest: dt.date | None = None) -> dt.date | None:
    """A date from 1970 to tomorrow (an incident, a loss, a sighting), or to ``latest``."""
    if value is None or value == "" or (type(value) is dt.date and _EARLIEST <= value <= _tomorrow()):
        return value or None
    return clean_date(value, errors, name, latest=latest)


_EARLIEST = dt.date(1970, 1, 1)


def _tomorrow() -> dt.date:
    return timezone.now().date() + dt.timedelta(days=1)


def _bool(data, name, errors) -> bool:
    value = data.get(name, False)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"", "0", "false", "no", "off", "none"}:
        return False
    errors.add(name, _("Expected true or false."))
    return False


def _list(data, name, errors) -> list[str]:
    value = data.get(name)
    if not value:  # the usual case, in bulk ingest too
        return []
    if isinstance(value, str):
        value = list(value.replace(";", ",").split(","))
    if not isinstance(value, list) or len(value) > MAX_LIST_ITEMS:
        errors.add(name, _("Expected a list of at most %(n)d items.") % {"n": MAX_LIST_ITEMS})
        return []
    items = []
    for item in value:
        if not isinstance(item, str) or len(item) > MAX_LIST_ITEM_CHARS or bad_text(item):
            errors.add(name, _("Each item is text of at most %(n)d characters.") % {"n": MAX_LIST_ITEM_CHARS})
            return []
        if item.strip():
            items.append(item.strip())
    return items


def _countries(data, name, errors) -> list[str]:
    codes = [code.upper() for code in _list(data, name, errors)]
    known = countries()
    bad = [c for c in codes if c not in known]
    if not bad:
        return codes
    errors.add(name, _("Not ISO 3166 alpha-2 country codes: %(codes)s") % {"codes": ", ".join(bad)})
    return [c for c in codes if c not in bad]


_UNKNOWN, _PERSON_NAME = identifiers.IdentifierType.UNKNOWN, identifiers.IdentifierType.PERSON_NAME


def _identifier(item, index, default_country, errors) -> CleanIdentifier | None:
    # Bulk ingest runs this for every one of millions of identifiers: the field name is made only for an error and
    # each key of the item is read once.
    if isinstance(item, str):
        item = {"value": item}
    elif not isinstance(item, dict):
        errors.add(f"identifiers[{index}]", _("Expected an object with a value."))
        return None
    role = item.get("role") or IdentifierRole.OTHER
    if not isinstance(role, str) or role not in _values(IdentifierRole):
        errors.add(f"identifiers[{index}]", _("Unknown role: %(role)s") % {"role": role})
        return None
    first, last = item.get("first_seen"), item.get("last_seen")
    if first is not None or last is not None:
        first, last = _date(first, f"identifiers[{index}]", errors), _date(last, f"identifiers[{index}]", errors)
    kind = item.get("type")
    if item.get("token"):
        token = str(item["token"]).strip().lower()
        # A weak token (a handle on no stated platform, decision 0049) starts with "w" instead of a hex digit.
        if len(token) != 32 or not set(token[1:] if is_weak(token) else token) <= _TOKEN_CHARS:
            errors.add(
                f"identifiers[{index}]", _("A blind token is 32 hexadecimal characters (see `lintas tokens make`).")
            )
            return None
        kind = str(kind or "")
        if kind:
            try:
                kind = str(identifiers.resolve_type(kind))
            except ValueError as exc:
                errors.add(f"identifiers[{index}]", str(exc))
                return None
        return CleanIdentifier(None, role, first, last, token=token, type=kind)
    value = item.get("value") or ""
    if not isinstance(value, str) or not value.strip():
        errors.add(f"identifiers[{index}]", _("An identifier needs a value (text) or a blind token."))
        return None
    if len(value) > 512 or bad_text(value):
        errors.add(f"identifiers[{index}]", bad_text(value) or _("At most %(n)d characters.") % {"n": 512})
        return None
    try:
        result = identifiers.normalize(value, kind or None, item.get("country") or default_country or None)
    except (ValueError, TypeError) as exc:
        errors.add(f"identifiers[{index}]", str(exc))
        return None
    if result.type == _UNKNOWN or not result.valid:
        reason = "; ".join(result.errors) or _("not a recognised identifier")
        message = _("%(value)s is not valid: %(reason)s") % {"value": value[:80], "reason": reason}
        errors.add(f"identifiers[{index}]", message)
        return None
    if result.type == _PERSON_NAME and not kind:
        # Any word reads as a name: a name is recorded only when the officer says it is one.
        errors.add(
            f"identifiers[{index}]",
            _("%(value)s is not a recognised identifier (give type person_name for a name).") % {"value": value[:80]},
        )
        return None
    return CleanIdentifier(result, role, first, last)


def clean_case(data: dict, *, owner: Agency, today: dt.date | None = None) -> CleanCase:
    """Validate one case. Identifiers are normalised here, with the owner's country as the default region."""
    errors = _Errors()
    if not isinstance(data, dict):
        raise CaseInvalid({"__all__": [_("Expected a JSON object.")]})
    case = CleanCase(
        title=_text(data, "title", errors, required=True),
        crime_type=_choice(data, "crime_type", CrimeType, errors, ""),
        external_reference=_text(data, "external_reference", errors),
        modus_operandi=_list(data, "modus_operandi", errors),
        status=_choice(data, "status", CaseStatus, errors, CaseStatus.OPEN),
        first_incident_on=_date(data.get("first_incident_on"), "first_incident_on", errors),
        last_incident_on=_date(data.get("last_incident_on"), "last_incident_on", errors),
        countries=_countries(data, "countries", errors),
        narrative=_text(data, "narrative", errors),
        victim_nationalities=_countries(data, "victim_nationalities", errors),
        victim_age_bands=_list(data, "victim_age_bands", errors),
        distribution=_choice(data, "distribution", Distribution, errors, Distribution.OWNER),
        tlp=_choice(data, "tlp", Tlp, errors, Tlp.AMBER),
        handling_code=_choice(data, "handling_code", HandlingCode, errors, HandlingCode.H0),
        handling_text=_text(data, "handling_text", errors),
        source_reliability=_choice(data, "source_reliability", SourceReliability, errors, SourceReliability.X),
        information_accuracy=_choice(
            data, "information_accuracy", InformationAccuracy, errors, InformationAccuracy.FOUR
        ),
        purpose=_text(data, "purpose", errors),
        legal_basis=_text(data, "legal_basis", errors),
        # Nominal data is reviewed within five years (a day's grace for time zones).
        review_on=_date(
            data.get("review_on"), "review_on", errors, latest=Case.default_review_on(today) + dt.timedelta(days=1)
        ),
        hide_owner_in_hits=_bool(data, "hide_owner_in_hits", errors),
    )
    victims = data.get("victim_count")
    if victims is not None and victims != "" and victims != 0:
        case.victim_count = clean_integer(Case, "victim_count", victims, errors) or 0
    if case.first_incident_on and case.last_incident_on and case.first_incident_on > case.last_incident_on:
        errors.add("last_incident_on", _("The last incident is before the first."))
    if case.handling_code == HandlingCode.H3 and not case.handling_text:
        errors.add("handling_text", _("H3 needs the restrictions written out."))
    codes = agency_ids_by_code()
    shared = _list(data, "shared_with", errors)
    if any(code not in codes for code in shared):
        codes = agency_ids_by_code(refresh=True)  # a member added since the cache was filled
    unknown = [code for code in shared if code not in codes]
    if unknown:
        errors.add("shared_with", _("Unknown agency codes: %(codes)s") % {"codes": ", ".join(unknown)})
    case.shared_with = sorted({codes[c] for c in shared if c in codes} - {owner.pk})
    if case.distribution == Distribution.NAMED and not case.shared_with:
        errors.add("shared_with", _("Name at least one agency to share with, or choose another distribution."))
    losses = data.get("losses") or []
    if not isinstance(losses, list) or len(losses) > MAX_LIST_ITEMS:
        errors.add("losses", _("Expected a list of at most %(n)d losses.") % {"n": MAX_LIST_ITEMS})
        losses = []
    for index, loss in enumerate(losses):
        key = f"losses[{index}]"
        if not isinstance(loss, dict):
            errors.add(key, _("A loss needs an amount (up to 2 decimals) and an ISO 4217 currency."))
            continue
        amount = clean_decimal(CaseLoss, "amount", loss.get("amount"), errors, key=key)
        currency = clean_currency(loss.get("currency"), errors, key=key)
        occurred_on = _date(loss.get("date"), key, errors)
        if amount is not None and currency:
            case.losses.append(CleanLoss(amount, currency, occurred_on))
    items = data.get("identifiers") or []
    if not isinstance(items, list) or len(items) > MAX_IDENTIFIERS:
        errors.add("identifiers", _("A list of at most %(n)d identifiers.") % {"n": MAX_IDENTIFIERS})
        items = []
    for index, item in enumerate(items):
        clean = _identifier(item, index, owner.country, errors)
        if clean is not None:
            case.identifiers.append(clean)
    if errors:
        raise CaseInvalid(dict(errors))
    return case
