"""Normalising and extracting identifiers for the web and API layers.

Pure reads with no stored data: nothing here touches the database, so nothing is audited; the results are those of
``lintas.identifiers`` for the given input, with limits that keep one request bounded.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lintas import identifiers

__all__ = ["MAX_TEXT_CHARS", "MAX_VALUES", "extract_text", "normalize_many"]

MAX_VALUES = 10_000
MAX_TEXT_CHARS = 1_000_000


def _check_country(country: str | None) -> str | None:
    if country in (None, ""):
        return None
    try:
        identifiers.normalize("", "phone", country)
    except ValueError:
        raise ValidationError({"country": _("Unknown country code: %(code)s") % {"code": country}}) from None
    return country


def normalize_many(items: list[tuple[str, str | None, str | None]], default_country: str | None = None) -> list[dict]:
    """Normalise ``(value, type, country)`` items; an unknown type or country is a 422, not a crash."""
    if len(items) > MAX_VALUES:
        raise ValidationError(_("At most %(max)d values per request.") % {"max": MAX_VALUES})
    default_country = _check_country(default_country)
    results = []
    for index, (value, kind, country) in enumerate(items):
        try:
            kind = identifiers.resolve_type(kind or None)
        except ValueError:
            message = _("Unknown identifier type: %(type)s") % {"type": kind}
            raise ValidationError({f"items[{index}].type": message}) from None
        try:
            result = identifiers.normalize(value, kind, _check_country(country) or default_country)
        except ValidationError as error:
            raise ValidationError({f"items[{index}].country": error.messages}) from None
        results.append(result.to_dict())
    return results


def extract_text(text: str, country: str | None = None) -> list[dict]:
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(_("The text is longer than %(max)d characters.") % {"max": MAX_TEXT_CHARS})
    return [result.to_dict() for result in identifiers.extract(text, _check_country(country))]
