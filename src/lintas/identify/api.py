"""Identifier API: normalise values and extract identifiers from text, with the library's result shape."""

from typing import Any

from ninja import Field, Router, Schema

from lintas.accounts.auth import read_auth
from lintas.identify import services

__all__ = ["router"]

router = Router()


class ValueIn(Schema):
    value: str = Field(..., max_length=4096)
    type: str | None = Field(
        None, description="Identifier type (phone, bank_account, crypto_wallet, ...); detected if omitted."
    )
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 default region for this value.")


class NormalizeIn(Schema):
    items: list[ValueIn] = Field(..., max_length=services.MAX_VALUES)
    country: str | None = Field(
        None, description="Default region for items that give none; defaults to your agency's country."
    )


class ExtractIn(Schema):
    text: str = Field(..., max_length=services.MAX_TEXT_CHARS)
    country: str | None = None


class ResultOut(Schema):
    input: str
    type: str
    value: str
    display: str
    country: str
    valid: bool
    errors: list[str]
    warnings: list[str]
    details: dict[str, Any]
    start: int | None = None
    end: int | None = None


class ResultsOut(Schema):
    results: list[ResultOut]


@router.post(
    "/normalize", response=ResultsOut, auth=read_auth, exclude_none=True, summary="Normalise up to 10,000 values"
)
def normalize(request, payload: NormalizeIn):
    items = [(item.value, item.type, item.country) for item in payload.items]
    return {"results": services.normalize_many(items, payload.country or request.user.agency.country or None)}


@router.post("/extract", response=ResultsOut, auth=read_auth, summary="Find every identifier in a text")
def extract(request, payload: ExtractIn):
    return {"results": services.extract_text(payload.text, payload.country or request.user.agency.country or None)}
