"""E-mail addresses, domain names, URLs and IP addresses.

Domains are converted with IDNA 2008 + UTS #46 (``idna``), split against the Public Suffix List snapshot bundled
with ``tldextract`` (never fetched: this module builds its extractor with no suffix-list URLs and no cache), and
e-mail syntax is checked with ``email-validator`` without any DNS query.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

import email_validator
import idna
import tldextract

from ._text import prepare, refang
from .types import IdentifierType, Result

__all__ = [
    "DOMAIN_SHAPE",
    "host_info",
    "normalize_domain",
    "normalize_email",
    "normalize_host",
    "normalize_ip",
    "normalize_url",
    "split_domain",
]

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
DOMAIN_SHAPE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
_WEB_SCHEMES = {"http", "https", "ftp", "ftps", "ws", "wss"}
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_BARE_HOST_URL = re.compile(r"^[\w.-]+\.[^\W\d_]{2,}(?::\d+)?(?:[/?#]|$)", re.UNICODE)

# RFC 5737 and RFC 3849: addresses reserved for documentation and examples.
_DOCUMENTATION_NETS = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
_SHARED_NET = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598 carrier-grade NAT


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and cache_dir=None: use only the snapshot shipped in the wheel, never the network or disk.
    # Private suffixes (github.io, blogspot.com ...) are included so that two sites on a shared hosting suffix do
    # not collapse into one registrable domain and over-correlate.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@functools.lru_cache(maxsize=65536)
def split_domain(ascii_host: str) -> tuple[str, str, str, bool]:
    """``(registrable_domain, public_suffix, subdomain, suffix_is_private)`` of a lower-case ASCII host name;
    the registrable domain is "" when the host is not under a known public suffix."""
    parts = _extractor().extract_str(ascii_host)
    if not parts.suffix or not parts.domain:
        return "", parts.suffix, parts.subdomain, bool(parts.is_private)
    return f"{parts.domain}.{parts.suffix}", parts.suffix, parts.subdomain, bool(parts.is_private)


@functools.lru_cache(maxsize=65536)
def normalize_host(host: str) -> tuple[str, str]:
    """``(ascii_host, error)``: a host name in lower-case ASCII (IDNA) without trailing dot, or an error."""
    h = host.strip().rstrip(".").strip().lower()  # "0 ." is "0", as "0" is
    if not h:
        return "", "empty host name"
    if len(h) > 253:
        return h, "host name longer than 253 characters"
    if not h.isascii():
        try:
            h = idna.encode(h, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError) as exc:
            return h, f"not a valid internationalised domain name ({exc})"
    labels = h.split(".")
    for label in labels:
        if not _LABEL.match(label):
            return h, f"label {label!r} is not a valid host name label"
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError, ValueError):
                return h, f"label {label!r} is not valid punycode"
    if len(labels) < 2:
        return h, "a domain needs at least two labels"
    return h, ""


@functools.lru_cache(maxsize=65536)
def _unicode_host(ascii_host: str) -> str:
    if "xn--" not in ascii_host:
        return ascii_host
    try:
        return idna.decode(ascii_host)
    except (idna.IDNAError, UnicodeError, ValueError):
        return ascii_host


def host_info(ascii_host: str) -> dict[str, Any]:
    """The registrable domain, public suffix and Unicode spelling of a normalised host, for ``details``."""
    registrable, suffix, subdomain, private = split_domain(ascii_host)
    info: dict[str, Any] = {
        "host": ascii_host,
        "registrable_domain": registrable,
        "public_suffix": suffix,
        "subdomain": subdomain,
    }
    if private:
        info["private_suffix"] = True
    unicode_host = _unicode_host(ascii_host)
    if unicode_host != ascii_host:
        info["unicode_host"] = unicode_host
    return info


def normalize_domain(text: str, country: str | None = None) -> Result:
    """Normalise a domain name: refanged, IDNA to ASCII, lower case, no trailing dot.

    Guarantees: ``details`` names the registrable domain and public suffix from the bundled Public Suffix List;
    a name not under a known public suffix, or an IP address, is ``valid=False``.
    """
    s = refang(prepare(text))
    warnings: list[str] = []
    if "://" in s or "/" in s:
        try:
            host = urlsplit(s if "://" in s else "http://" + s).hostname or ""
        except ValueError:  # e.g. an unclosed "[" read as an IPv6 literal
            host = ""
        warnings.append("a URL was given; its host name is used")
        s = host
    s = s.strip()
    if s.startswith("*."):
        s = s[2:]
        warnings.append("wildcard removed")
    ascii_host, error = normalize_host(s)
    if not error and _is_ip(ascii_host):
        error = "an IP address, not a domain name"
    info: dict[str, Any] = {}
    if not error:
        info = host_info(ascii_host)
        if not info["registrable_domain"]:
            error = "not under a known public suffix (top-level domain)"
    return Result(
        type=IdentifierType.DOMAIN,
        value=ascii_host,
        display=info.get("unicode_host", ascii_host),
        valid=not error,
        errors=(error,) if error else (),
        warnings=tuple(warnings),
        details=info,
        input=text,
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_ANGLE = re.compile(r"<([^<>]+@[^<>]+)>")


def normalize_email(text: str, country: str | None = None) -> Result:
    """Normalise an e-mail address: syntax only (no DNS), IDN domains allowed.

    Guarantees: ``value`` is the whole address lower-cased with the domain in ASCII (IDNA), so the Unicode and
    punycode spellings of one address match; ``details`` carries the domain and its registrable domain.
    """
    s = refang(prepare(text))
    s = _MAILTO.sub("", s).strip()
    angle = _ANGLE.search(s)
    if angle:  # "Name <user@example.com>"
        s = angle.group(1).strip()
    s = (s.split("?", 1)[0] if s.count("@") == 1 and "?" in s.split("@", 1)[1] else s).strip()
    fallback = s.lower()
    if s.count("@") < 1 or len(s) > 320:
        return _invalid_email(text, fallback, "an e-mail address needs one @ and a domain")
    try:
        checked = email_validator.validate_email(s, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        return _invalid_email(text, fallback, str(exc))
    except (UnicodeError, ValueError) as exc:  # defensive: exotic code points inside the library
        return _invalid_email(text, fallback, f"not a valid e-mail address ({exc})")
    ascii_domain = (checked.ascii_domain or checked.domain).lower()
    info = host_info(ascii_domain)
    details = {
        "local_part": checked.local_part,
        "domain": ascii_domain,
        "registrable_domain": info["registrable_domain"],
    }
    if "unicode_host" in info:
        details["unicode_domain"] = info["unicode_host"]
    return Result(
        type=IdentifierType.EMAIL,
        value=f"{checked.local_part.lower()}@{ascii_domain}",
        display=checked.normalized,
        valid=True,
        details=details,
        input=text,
    )


def _invalid_email(raw: str, value: str, error: str) -> Result:
    return Result(
        type=IdentifierType.EMAIL, value=value, display=value, valid=False, errors=(error,), details={}, input=raw
    )


def normalize_url(text: str, country: str | None = None) -> Result:
    """Normalise a URL: refanged (``hxxp``, ``[.]``, ``(dot)``, ``[:]``), scheme and host lower-cased, host in
    IDNA ASCII, default port and fragment removed, empty path written as ``/``.

    Guarantees: ``details`` has ``host`` and ``registrable_domain`` (or ``ip``); a URL whose host is not a valid
    domain under a known public suffix or an IP address is ``valid=False``.
    """
    s = refang(prepare(text)).strip().strip("<>\"'").strip()
    warnings: list[str] = []
    if "://" not in s[:12]:
        if s.startswith("//"):
            s = "http:" + s
        elif _BARE_HOST_URL.match(s):
            s = "http://" + s
            warnings.append("no scheme given; http assumed")
        else:
            return _invalid_url(text, s, "not a URL (no scheme and no host name)")
    try:
        parts = urlsplit(s)
        port = parts.port
    except ValueError as exc:
        return _invalid_url(text, s, f"not a valid URL ({exc})")
    scheme = parts.scheme.lower()
    raw_host = parts.hostname or ""
    if not scheme or not raw_host:
        return _invalid_url(text, s, "not a URL (no scheme or no host name)")
    errors: list[str] = []
    details: dict[str, Any] = {"scheme": scheme}
    ip = None
    with contextlib.suppress(ValueError):
        ip = ipaddress.ip_address(raw_host.split("%", 1)[0])
    if ip is not None:
        host = str(ip)
        host_text = f"[{host}]" if ip.version == 6 else host
        details.update({"host": host, "ip": host, "registrable_domain": ""})
    else:
        host, error = normalize_host(raw_host)
        host_text = host
        if error:
            errors.append(error)
        else:
            info = host_info(host)
            details.update(info)
            if not info["registrable_domain"]:
                errors.append("host is not under a known public suffix (top-level domain)")
    if scheme not in _WEB_SCHEMES:
        warnings.append(f"unusual scheme {scheme!r}")
    netloc = host_text
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc += f":{port}"
        details["port"] = port
    if "@" in parts.netloc:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        netloc = f"{userinfo}@{netloc}"
        warnings.append("user name before the host (text before @ is not the site: a common phishing trick)")
    path = _PERCENT.sub(lambda m: m.group(0).upper(), parts.path) or "/"
    query = _PERCENT.sub(lambda m: m.group(0).upper(), parts.query)
    canonical = f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")
    details["path"] = path
    return Result(
        type=IdentifierType.URL,
        value=canonical,
        display=canonical,
        valid=not errors,
        errors=tuple(errors),
        warnings=tuple(warnings),
        details=details,
        input=text,
    )


def _invalid_url(raw: str, value: str, error: str) -> Result:
    return Result(
        type=IdentifierType.URL, value=value, display=value, valid=False, errors=(error,), details={}, input=raw
    )


_IP_PORT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$")
_IP6_PORT = re.compile(r"^\[([0-9a-fA-F:.]+(?:%\w+)?)\](?::(\d{1,5}))?$")


def normalize_ip(text: str, country: str | None = None) -> Result:
    """Normalise an IPv4 or IPv6 address to its canonical text (IPv6 compressed, lower case).

    Guarantees: private, loopback, link-local, shared (CGNAT), multicast, reserved and documentation ranges
    carry a warning; a port written after the address is moved to ``details["port"]``.
    """
    s = refang(prepare(text)).strip()
    port = None
    m = _IP_PORT.match(s) or _IP6_PORT.match(s)
    if m:
        s, port = m.group(1), m.group(2)
    try:
        ip = ipaddress.ip_address(s)
    except ValueError as exc:
        return Result(
            type=IdentifierType.IP,
            value=s.lower(),
            display=s,
            valid=False,
            errors=(f"not an IP address ({exc})",),
            details={},
            input=text,
        )
    warnings = _ip_warnings(ip)
    details: dict[str, Any] = {"version": ip.version}
    if port is not None:
        details["port"] = int(port)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        details["ipv4_mapped"] = str(ip.ipv4_mapped)
    value = str(ip)
    return Result(
        type=IdentifierType.IP,
        value=value,
        display=value,
        valid=True,
        warnings=tuple(warnings),
        details=details,
        input=text,
    )


def _ip_warnings(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[str]:
    if any(ip in net for net in _DOCUMENTATION_NETS if net.version == ip.version):
        return ["documentation range (RFC 5737 / RFC 3849): an example, not a real host"]
    if ip.is_loopback:
        return ["loopback address: refers to the machine itself"]
    if ip.is_link_local:
        return ["link-local address: not routable on the internet"]
    if ip.version == 4 and ip in _SHARED_NET:
        return ["shared address space (RFC 6598, carrier-grade NAT): not unique to one subscriber"]
    if ip.is_multicast:
        return ["multicast address"]
    if ip.is_unspecified:
        return ["unspecified address"]
    if ip.is_reserved:  # before is_private, which also covers 240.0.0.0/4
        return ["reserved address range"]
    if ip.is_private:
        return ["private address range: not reachable from the internet, not unique"]
    return []
