"""Messaging and social-media handles: ``platform:handle``.

Handles are recognised from ``platform:handle``, ``@handle`` (platform unknown unless given) and profile URLs
(``t.me/name``, ``wa.me/66812345678``, ``line.me/ti/p/~id``, ``facebook.com/name``, ``instagram.com/name``,
``x.com/name``, ``tiktok.com/@name``, ``zalo.me/0912345678``, ``open.kakao.com/o/code``). Handles on platforms
whose accounts are phone numbers (WhatsApp, Viber, Zalo, and any handle that is a phone) are canonicalised to
E.164 and the phone is reported in ``details["linked"]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ._text import prepare, refang
from .phone import normalize_phone
from .types import IdentifierType, Result

__all__ = ["PLATFORMS", "find_platform", "normalize_social_handle", "profile_from_url", "split_platform"]


@dataclass(frozen=True, slots=True)
class Platform:
    key: str
    name: str
    pattern: re.Pattern[str]  # on the lower-cased handle
    rule: str
    phone_bound: bool = False
    names: tuple[str, ...] = ()
    home: str = ""  # country assumed for a local phone number when the caller gives none


# Handle rules as the platforms state them in their help pages (length and allowed characters). All are
# case-insensitive, so canonical handles are lower case.
PLATFORMS: dict[str, Platform] = {
    p.key: p
    for p in (
        Platform(
            "telegram",
            "Telegram",
            re.compile(r"^[a-z][a-z0-9_]{3,31}$"),
            "4-32 letters, digits and _, starting with a letter",
            names=("telegram", "tg", "tele", "텔레그램", "텔레", "เทเลแกรม"),
        ),
        Platform("whatsapp", "WhatsApp", re.compile(r"^$"), "a phone number", True, ("whatsapp", "wa", "왓츠앱")),
        Platform(
            "line",
            "LINE",
            re.compile(r"^@?[a-z0-9._-]{4,20}$"),
            "4-20 letters, digits, . _ - (official accounts start with @)",
            names=("line", "lineid", "ไลน์", "라인"),
        ),
        Platform(
            "facebook",
            "Facebook",
            re.compile(r"^(?:[a-z0-9.]{5,50}|\d{5,20})$"),
            "5-50 letters, digits and dots (dots are ignored), or a numeric profile id",
            names=("facebook", "fb", "페이스북", "เฟซบุ๊ก"),
        ),
        Platform(
            "instagram",
            "Instagram",
            re.compile(r"^[a-z0-9._]{1,30}$"),
            "1-30 letters, digits, . and _",
            names=("instagram", "ig", "insta", "인스타", "인스타그램"),
        ),
        Platform("x", "X", re.compile(r"^[a-z0-9_]{1,15}$"), "1-15 letters, digits and _", names=("x", "twitter")),
        Platform(
            "tiktok",
            "TikTok",
            re.compile(r"^[a-z0-9._]{2,24}$"),
            "2-24 letters, digits, . and _",
            names=("tiktok", "틱톡"),
        ),
        Platform(
            "wechat",
            "WeChat",
            re.compile(r"^[a-z][a-z0-9_-]{5,19}$|^wxid_[a-z0-9]{4,30}$"),
            "6-20 letters, digits, _ and -, starting with a letter (or a wxid_ id)",
            names=("wechat", "weixin", "위챗", "微信"),
        ),
        Platform(
            "kakaotalk",
            "KakaoTalk",
            re.compile(r"^[a-z0-9._-]{4,20}$|^o/[a-z0-9]{4,16}$"),
            "4-20 letters, digits, . _ - (or an open-chat code o/...)",
            names=("kakaotalk", "kakao", "katalk", "kakaoid", "카톡", "카카오톡", "카톡아이디", "카카오"),
            home="KR",
        ),
        Platform(
            "zalo", "Zalo", re.compile(r"^\d{6,20}$"), "a phone number or numeric Zalo id", False, ("zalo",), "VN"
        ),
        Platform("viber", "Viber", re.compile(r"^$"), "a phone number", True, ("viber", "바이버")),
        Platform(
            "unknown",
            "unknown platform",
            re.compile(r"^[a-z0-9._-]{1,64}$"),
            "1-64 letters, digits, . _ -",
            names=("unknown",),
        ),
    )
}
_NAME_JUNK = re.compile(r"[\s_-]+")
_BY_NAME = {_NAME_JUNK.sub("", n.casefold()): p for p in PLATFORMS.values() for n in (*p.names, p.key)}
_LINE_PROFILE = re.compile(r"ti/p/([~@]?[\w.\-]+)")
# "Telegram @name", "LINE id name", "WhatsApp +66 81 234 5678": a platform's name, then its handle (the way Lintas
# itself displays handles). A handle with spaces is taken only when it is a phone number.
_NAME_THEN_HANDLE = re.compile(r"^(?P<name>[^\s:@]{1,20}(?:\s?id)?)\s+(?P<handle>@?\S.{0,60})$", re.IGNORECASE)
_OPEN_CHAT = re.compile(r"^o/[A-Za-z0-9]{4,16}$")
_PHONEISH = re.compile(r"^\+?[\d\s\-().]{7,20}$")


def find_platform(name: str) -> Platform | None:
    """The platform called ``name`` ("tg", "Telegram", "카톡" ...), or None."""
    return _BY_NAME.get(_NAME_JUNK.sub("", name.casefold()))


def split_platform(text: str) -> tuple[Platform, str] | None:
    """``(platform, handle)`` when ``text`` is a platform's name followed by a handle ("Telegram @name", "LINE id
    name", "WhatsApp +66 81 234 5678"), else None. The handle is returned as written (not yet checked)."""
    m = _NAME_THEN_HANDLE.match(text.strip())
    if m is None:
        return None
    platform = find_platform(m.group("name").replace(" ", ""))
    handle = m.group("handle").strip()
    if platform is None or platform.key == "unknown" or (" " in handle and not _PHONEISH.match(handle)):
        return None
    return platform, handle


# Host -> platform, for profile URLs. Paths that are not profiles are rejected in profile_from_url.
_HOSTS = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "wa.me": "whatsapp",
    "api.whatsapp.com": "whatsapp",
    "whatsapp.com": "whatsapp",
    "line.me": "line",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "m.facebook.com": "facebook",
    "web.facebook.com": "facebook",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "x.com": "x",
    "twitter.com": "x",
    "mobile.twitter.com": "x",
    "tiktok.com": "tiktok",
    "zalo.me": "zalo",
    "open.kakao.com": "kakaotalk",
}
_NOT_PROFILES = {
    "telegram": {"joinchat", "addstickers", "share", "proxy", "socks", "c", "s", "addemoji", "iv"},
    "facebook": {
        "groups",
        "pages",
        "events",
        "watch",
        "marketplace",
        "share",
        "sharer",
        "photo",
        "photo.php",
        "story.php",
        "permalink.php",
        "login",
        "help",
        "policies",
        "gaming",
        "reel",
        "hashtag",
        "l.php",
    },
    "instagram": {"p", "reel", "reels", "stories", "explore", "accounts", "direct", "tv"},
    "x": {"i", "intent", "share", "search", "home", "hashtag", "explore", "settings", "login"},
    "tiktok": {"t", "tag", "music", "discover", "foryou", "video"},
}


def profile_from_url(url: str) -> tuple[str, str] | None:
    """``(platform, handle)`` if ``url`` (scheme optional) is a profile link of a known platform, else None."""
    s = url if "://" in url else "https://" + url
    try:
        parts = urlsplit(s)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    host = host.removeprefix("www.")
    platform = _HOSTS.get(host)
    if s.lower().startswith("viber://"):
        number = parse_qs(parts.query).get("number", [""])[0]
        return ("viber", number) if number else None
    if platform is None:
        return None
    segments = [seg for seg in parts.path.split("/") if seg]
    query = parse_qs(parts.query)
    if platform == "whatsapp":
        phone = query.get("phone", [""])[0] if not segments or segments[0] == "send" else segments[0]
        return ("whatsapp", phone) if phone else None
    if platform == "line":
        # line.me/ti/p/~lineid (personal), line.me/R/ti/p/@official
        joined = "/".join(segments)
        m = _LINE_PROFILE.search(joined)
        if not m:
            return None
        handle = m.group(1)
        return "line", handle[1:] if handle.startswith("~") else handle
    if platform == "facebook" and segments and segments[0] == "profile.php":
        fid = query.get("id", [""])[0]
        return ("facebook", fid) if fid else None
    if platform == "kakaotalk":
        if len(segments) >= 2 and segments[0] == "o":
            return "kakaotalk", "o/" + segments[1]
        return None
    if not segments:
        return None
    first = segments[0]
    if first.lower() in _NOT_PROFILES.get(platform, set()) or first.startswith("+"):
        return None
    if platform == "tiktok":
        return ("tiktok", first[1:]) if first.startswith("@") else None
    return platform, first


def normalize_social_handle(text: str, country: str | None = None, platform: str | None = None) -> Result:
    """Normalise a handle to ``<platform>:<handle>`` (lower case; Facebook dots removed; phones in E.164).

    Guarantees: profile URLs and ``platform:handle`` give the same value; a handle that breaks the platform's
    published rules is ``valid=False``; phone-bound handles link the phone in ``details["linked"]``; a bare
    ``@handle`` without a platform is kept as ``unknown:<handle>`` with a warning.
    """
    s = refang(prepare(text))
    warnings: list[str] = []
    plat = find_platform(platform) if platform else None
    handle = s
    from_url = profile_from_url(s) if ("/" in s or "." in s) and " " not in s.strip() else None
    if from_url is not None:
        url_platform, handle = from_url
        plat = PLATFORMS[url_platform]
    elif plat is None and ":" in s:
        head, _, tail = s.partition(":")
        found = find_platform(head)
        if found is not None:
            plat, handle = found, tail
    if plat is None:
        named = split_platform(s)
        if named is not None:
            plat, handle = named
    if plat is None:
        plat = PLATFORMS["unknown"]
        warnings.append("platform not given: only the handle is known")
    handle = handle.strip()
    official = plat.key == "line" and handle.startswith("@")  # LINE official accounts keep their "@"
    handle = ("@" if official else "") + handle.lstrip("@").strip()
    details: dict[str, Any] = {"platform": plat.key, "platform_name": plat.name}
    # A phone number as handle: always for phone-bound platforms, and for others (Telegram, LINE, KakaoTalk can
    # be found by phone) whenever it is a valid phone.
    if _PHONEISH.match(handle) and sum(c.isdigit() for c in handle) >= 7:
        phone = normalize_phone(handle, country or plat.home or None)
        if phone.valid or plat.phone_bound:
            if phone.valid:
                details["linked"] = {"type": "phone", "value": phone.value}
            details["handle_kind"] = "phone"
            return Result(
                type=IdentifierType.SOCIAL_HANDLE,
                value=f"{plat.key}:{phone.value}",
                display=f"{plat.name} {phone.display}",
                country=phone.country,
                valid=phone.valid,
                errors=phone.errors,
                warnings=(*warnings, *phone.warnings),
                details=details,
                input=text,
            )
    canonical = handle.lower()
    errors: list[str] = []
    if plat.key == "facebook" and not canonical.isdigit():
        canonical = canonical.replace(".", "")  # Facebook ignores dots in usernames
        ok = bool(plat.pattern.match(handle.lower()))
    elif plat.key == "kakaotalk" and canonical.startswith("o/"):
        canonical = "o/" + handle[2:]  # open-chat codes are case-sensitive
        ok = bool(_OPEN_CHAT.match(canonical))
    else:
        ok = bool(plat.pattern.match(canonical))
    if plat.phone_bound and not ok:
        errors.append(f"{plat.name} accounts are phone numbers; this is not a valid phone number")
    elif not ok:
        errors.append(f"not a valid {plat.name} handle ({plat.rule})")
    details["handle"] = canonical
    return Result(
        type=IdentifierType.SOCIAL_HANDLE,
        value=f"{plat.key}:{canonical}",
        display=f"{plat.name} {'' if canonical.startswith('@') else '@'}{canonical}",
        valid=not errors,
        errors=tuple(errors),
        warnings=tuple(warnings),
        details=details,
        input=text,
    )
