"""What the API takes before any endpoint sees it: JSON a column can hold, ids and offsets a column can hold.

- :class:`JsonParser` parses request bodies strictly: no ``NaN``/``Infinity``, no number beyond 64 bits, no text with
  NUL or a lone surrogate anywhere in the document (no column stores them; PostgreSQL refuses NUL even in ``jsonb``).
  Query strings with NUL are refused the same way. Either answers 422 with the offending field.
- :data:`Id` is the type of every id parameter (path, query, body): 1..2^63-1, so an id that no column holds answers
  422, never an overflow in the database driver. :class:`LimitOffsetPagination` bounds the offset the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination as _LimitOffsetPagination
from ninja.parser import Parser
from pydantic import AwareDatetime, BeforeValidator

from lintas.core.access import MAX_ID
from lintas.core.validation import bad_text

__all__ = ["MAX_ID", "AwareDateTime", "Date", "Id", "InputRefused", "JsonParser", "LimitOffsetPagination"]

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_text(value):
    """Dates and times arrive as ISO 8601 text, as the schema says: pydantic would also read a number, or text of
    one (``date_to=0``), as seconds since 1970 and answer for 1 January 1970."""
    if isinstance(value, bool | int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError(_("A date or time as ISO 8601 text, e.g. 2027-01-31 or 2027-01-31T17:00:00+07:00."))
    return value


Date = Annotated[dt.date, BeforeValidator(_iso_text)]
AwareDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


class InputRefused(Exception):
    """A request body holds values no column can store; ``errors`` by JSON path."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def _constant(name: str):
    raise InputRefused({"__all__": [_("%(name)s is not a number JSON allows.") % {"name": name}]})


def _problems(value, path: str, errors: dict, depth: int = 0) -> None:
    if len(errors) >= 20:
        return
    if isinstance(value, str):
        problem = bad_text(value)
        if problem:
            errors.setdefault(path or "__all__", []).append(problem)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -MAX_ID - 1 <= value <= MAX_ID:
            errors.setdefault(path or "__all__", []).append(_("A number beyond 64 bits."))
    elif isinstance(value, float):
        if not math.isfinite(value):
            errors.setdefault(path or "__all__", []).append(_("A number beyond the range of a float."))
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if bad_text(key):
                errors.setdefault(path or "__all__", []).append(bad_text(key))
            _problems(item, name, errors, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _problems(item, f"{path}[{index}]", errors, depth + 1)


def refuse_unstorable(data) -> None:
    """Raise :class:`InputRefused` when any value of a parsed JSON document cannot be stored."""
    errors: dict[str, list[str]] = {}
    _problems(data, "", errors)
    if errors:
        raise InputRefused(errors)


class JsonParser(Parser):
    """django-ninja's parser, strict about what no column can store (see the module). Every JSON body of this API is
    an object: anything else (``0.0``, ``false``, ``[]``) is refused as unparsable (400), where django-ninja took a
    falsy one for an empty body and answered as if nothing had been sent."""

    def parse_body(self, request):
        data = json.loads(request.body, parse_constant=_constant)
        if not isinstance(data, dict):
            raise ValueError("The body must be a JSON object.")
        refuse_unstorable(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        errors = {}
        for key, values in data.lists():
            if any("\x00" in value for value in values) or "\x00" in key:
                errors[key.replace("\x00", "")] = [_("Text cannot contain NUL characters.")]
        if errors:
            raise ValidationError(errors)
        return super().parse_querydict(data, list_fields, request)


class LimitOffsetPagination(_LimitOffsetPagination):
    """django-ninja's limit/offset paging with an offset a database can take (an offset past the end is empty)."""

    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_ID)
