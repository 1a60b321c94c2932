"""A per-address allowance for the pages anyone may open without signing in (certificate verification, the public
summary). Lintas has no throttle of its own for anonymous pages: sign-in locks the account after failed attempts
(``LOCKOUT_THRESHOLD``), and the lookup allowance counts per user and agency. So this is a small fixed-window counter
in Django's cache (Redis when configured, else per process), keyed by the client address the request id middleware
decided (``request.client_ip``, which honours a declared proxy). Decision 0042.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

__all__ = ["allow"]

logger = logging.getLogger(__name__)


def allow(request, scope: str) -> tuple[bool, int]:
    """Count this request against its address's allowance for ``scope``; ``(allowed, seconds until the window
    ends)``. The allowance is ``settings.PUBLIC_PAGES_PER_MINUTE`` requests a minute (default 30). When the cache
    cannot be reached the page is answered (logged): the codes' entropy, not this counter, is what makes guessing
    infeasible, and a verifier should not see an error because Redis restarts."""
    limit = settings.PUBLIC_PAGES_PER_MINUTE
    now = int(time.time())
    window = now - now % 60
    address = getattr(request, "client_ip", None) or "unknown"
    key = f"lintas:public:{scope}:{address}:{window}"
    try:
        count = _count(key)
    except Exception:
        logger.warning("public page allowance not counted: the cache is unreachable", exc_info=True)
        return True, window + 60 - now
    return count <= limit, window + 60 - now


def _count(key: str) -> int:
    if cache.add(key, 1, timeout=61):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=61)
        return 1
