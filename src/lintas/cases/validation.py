"""One validation of a case, used by the form, the API and bulk ingest alike.

``clean_case`` takes plain data (a dict as parsed from a form, JSON or one NDJSON line) and returns a ``CleanCase``
or raises ``CaseInvalid`` with every problem by field, so a bad row is refused whole with all its reasons.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

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
_CENT = Decimal("0.01")  # losses have at most two decimals (quantize: as_tuple() cost 27 µs a call)


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


def _text(data, name, errors, *, required=False, max_length=200) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.add(name, _("This field is required."))
    elif len(value) > max_length:
        errors.add(name, _("At most %(n)d characters.") % {"n": max_length})
    return value


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


def _date(value, name, errors) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.add(name, _("Not a date (YYYY-MM-DD): %(value)s") % {"value": value})
        return None


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
    if not isinstance(value, list):
        errors.add(name, _("Expected a list."))
        return []
    return [str(item).strip() for item in value if str(item).strip()]


def _countries(data, name, errors) -> list[str]:
    codes = [code.upper() for code in _list(data, name, errors)]
    bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
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
        if len(token) != 32 or not set(token) <= _TOKEN_CHARS:
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
    value = str(item.get("value") or "")
    if not value.strip():
        errors.add(f"identifiers[{index}]", _("An identifier needs a value or a blind token."))
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
        external_reference=_text(data, "external_reference", errors, max_length=100),
        modus_operandi=_list(data, "modus_operandi", errors),
        status=_choice(data, "status", CaseStatus, errors, CaseStatus.OPEN),
        first_incident_on=_date(data.get("first_incident_on"), "first_incident_on", errors),
        last_incident_on=_date(data.get("last_incident_on"), "last_incident_on", errors),
        countries=_countries(data, "countries", errors),
        narrative=_text(data, "narrative", errors, max_length=100_000),
        victim_nationalities=_countries(data, "victim_nationalities", errors),
        victim_age_bands=_list(data, "victim_age_bands", errors),
        distribution=_choice(data, "distribution", Distribution, errors, Distribution.OWNER),
        tlp=_choice(data, "tlp", Tlp, errors, Tlp.AMBER),
        handling_code=_choice(data, "handling_code", HandlingCode, errors, HandlingCode.H0),
        handling_text=_text(data, "handling_text", errors, max_length=500),
        source_reliability=_choice(data, "source_reliability", SourceReliability, errors, SourceReliability.X),
        information_accuracy=_choice(
            data, "information_accuracy", InformationAccuracy, errors, InformationAccuracy.FOUR
        ),
        purpose=_text(data, "purpose", errors, max_length=300),
        legal_basis=_text(data, "legal_basis", errors, max_length=300),
        review_on=_date(data.get("review_on"), "review_on", errors),
        hide_owner_in_hits=_bool(data, "hide_owner_in_hits", errors),
    )
    try:
        case.victim_count = int(data.get("victim_count") or 0)
        if case.victim_count < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("victim_count", _("A whole number of at least 0."))
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
    for index, loss in enumerate(data.get("losses") or []):
        try:
            amount = Decimal(str(loss["amount"]))
            currency = str(loss["currency"]).upper()
            if amount < 0 or len(currency) != 3 or not currency.isalpha() or amount != amount.quantize(_CENT):
                raise ValueError
            case.losses.append(CleanLoss(amount, currency, _date(loss.get("date"), f"losses[{index}]", errors)))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            errors.add(f"losses[{index}]", _("A loss needs an amount (up to 2 decimals) and an ISO 4217 currency."))
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
