"""A per-address allowance for the pages anyone may open without signing in (certificate verification, the public
summary). Lintas has no throttle of its own for anonymous pages: sign-in locks the account after failed attempts
(``LOCKOUT_THRESHOLD``), and the lookup allowance counts per user and agency. So this is a small fixed-window counter
in Django's cache (Redis when configured, else per process), keyed by the client address the request id middleware
decided (``request.client_ip``, which honours a declared proxy). Decision 0042.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

__all__ = ["DEFAULT_PER_MINUTE", "allow"]

DEFAULT_PER_MINUTE = 30


def allow(request, scope: str) -> tuple[bool, int]:
    """Count this request against its address's allowance for ``scope``; ``(allowed, seconds until the window
    ends)``. The allowance is ``LINTAS_PUBLIC_PAGES_PER_MINUTE`` requests a minute (default 30)."""
    limit = int(getattr(settings, "LINTAS_PUBLIC_PAGES_PER_MINUTE", DEFAULT_PER_MINUTE))
    now = int(time.time())
    window = now - now % 60
    address = getattr(request, "client_ip", None) or "unknown"
    key = f"lintas:public:{scope}:{address}:{window}"
    if cache.add(key, 1, timeout=61):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=61)
            count = 1
    return count <= limit, window + 60 - now
