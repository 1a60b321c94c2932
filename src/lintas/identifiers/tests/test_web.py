"""E-mail, domain, URL and IP normalisation; the Public Suffix List comes from the bundled snapshot only."""

import socket

import pytest

from lintas.identifiers import normalize


def test_email_is_lower_cased_whole():
    result = normalize("Scam.Support@Example.COM", "email")
    assert result.valid
    assert result.value == "scam.support@example.com"
    assert result.details["registrable_domain"] == "example.com"


def test_email_idn_domain_matches_its_punycode_spelling():
    unicode_form = normalize("user@bücher.de", "email")
    ascii_form = normalize("USER@xn--bcher-kva.de", "email")
    assert unicode_form.valid and ascii_form.valid
    assert unicode_form.value == ascii_form.value == "user@xn--bcher-kva.de"
    assert unicode_form.details["unicode_domain"] == "bücher.de"


@pytest.mark.parametrize(
    "value", ["user[at]evil[.]com", "user(at)evil(dot)com", "mailto:user@evil.com", "Evil <user@evil.com>"]
)
def test_email_defanged_or_wrapped(value):
    assert normalize(value, "email").value == "user@evil.com"


@pytest.mark.parametrize("bad", ["nope", "a@b", "a@@b.com", "a b@c.com", "@example.com"])
def test_invalid_email(bad):
    assert not normalize(bad, "email").valid


def test_domain_refanged_idna_lower_no_trailing_dot():
    result = normalize("Secure-Bank[.]Example[.]COM.", "domain")
    assert result.value == "secure-bank.example.com"
    assert result.details["registrable_domain"] == "example.com"
    assert result.details["public_suffix"] == "com"


def test_domain_idn():
    result = normalize("BÜCHER.de", "domain")
    assert result.value == "xn--bcher-kva.de"
    assert result.display == "bücher.de"


def test_domain_multi_label_suffix_of_members():
    assert normalize("www.scam.co.th", "domain").details["registrable_domain"] == "scam.co.th"
    assert normalize("login.bank.com.my", "domain").details["registrable_domain"] == "bank.com.my"
    assert normalize("a.b.go.kr", "domain").details["public_suffix"] == "go.kr"


def test_private_suffix_keeps_sites_apart():
    # Two sites on github.io must not share a registrable domain, or they would over-correlate.
    assert normalize("evil.github.io", "domain").details["registrable_domain"] == "evil.github.io"


@pytest.mark.parametrize("bad", ["localhost", "foo.notatld", "1.2.3.4", "-bad-.com", "a..b.com"])
def test_invalid_domains(bad):
    assert not normalize(bad, "domain").valid


def test_url_refang_and_canonical_form():
    result = normalize("hxxps://Secure-Bank[.]Example[.]com:443/login?a=1#top", "url")
    assert result.valid
    assert result.value == "https://secure-bank.example.com/login?a=1"
    assert result.details["host"] == "secure-bank.example.com"
    assert result.details["registrable_domain"] == "example.com"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hXXp[:]//evil(dot)example(dot)com", "http://evil.example.com/"),
        ("http://EXAMPLE.com:80", "http://example.com/"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("www.example.com/path", "http://www.example.com/path"),
        ("http://example.com/a%2fb", "http://example.com/a%2Fb"),
        ("http://bücher.de/", "http://xn--bcher-kva.de/"),
        ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
    ],
)
def test_url_variants(value, expected):
    assert normalize(value, "url").value == expected


def test_url_with_user_info_warns_of_phishing_trick():
    result = normalize("https://mybank.com@evil.example/", "url")
    assert result.details["host"] == "evil.example"
    assert any("phishing" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("value", "expected", "warning"),
    [
        ("8.8.8.8", "8.8.8.8", None),
        ("192.168.1[.]1", "192.168.1.1", "private"),
        ("203.0.113.5", "203.0.113.5", "documentation"),
        ("2001:0DB8:0000::0001", "2001:db8::1", "documentation"),
        ("127.0.0.1", "127.0.0.1", "loopback"),
        ("100.64.0.1", "100.64.0.1", "carrier-grade"),
        ("240.0.0.1", "240.0.0.1", "reserved"),
    ],
)
def test_ip(value, expected, warning):
    result = normalize(value, "ip")
    assert result.valid
    assert result.value == expected
    if warning:
        assert any(warning in w for w in result.warnings)
    else:
        assert result.warnings == ()


def test_ip_port_moves_to_details():
    result = normalize("1.2.3.4:8080", "ip")
    assert result.value == "1.2.3.4"
    assert result.details["port"] == 8080


@pytest.mark.parametrize("bad", ["256.1.1.1", "1.2.3", "010.1.1.1", "hello"])
def test_invalid_ip(bad):
    assert not normalize(bad, "ip").valid


def test_suffix_list_comes_from_the_bundled_snapshot_without_network(monkeypatch):
    from lintas.identifiers import web

    def no_network(*args, **kwargs):
        raise AssertionError("tldextract tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    web._extractor.cache_clear()
    web.split_domain.cache_clear()
    extractor = web._extractor()
    assert extractor.suffix_list_urls == ()
    assert web.split_domain("a.b.example.co.th")[0] == "example.co.th"


def test_email_with_a_query_and_spaces_is_a_fixed_point():
    # found by hypothesis: "0 ?@?" left a trailing space that a second pass removed
    first = normalize("0 ?@?", "email")
    assert normalize(first.value, "email").value == first.value
