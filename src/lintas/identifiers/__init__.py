"""Identifier intelligence for Lintas: normalise, detect and extract the identifiers of cyber-financial crime.

A plain library (no Django): ``normalize(value, type=None, country=None)`` returns a :class:`Result` whose
``value`` is the canonical form used for matching; ``detect(value)`` ranks the possible types of a value;
``extract(text)`` finds every identifier in free text with character offsets. See docs/identifiers.md.
"""

from .core import detect, normalize, resolve_type
from .extract import extract
from .types import Detection, IdentifierType, Result

__all__ = ["Detection", "IdentifierType", "Result", "detect", "extract", "normalize", "resolve_type"]
