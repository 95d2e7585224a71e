"""Origins allowed to embed a checkout: normalising, parsing and matching."""

import re

import pytest

from portal.origins import (
    MAX_ALLOWED_ORIGINS,
    normalise_origin,
    normalise_origin_list,
    origin_allowed,
    parse_allowed_origins,
)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("https://shop.example", "https://shop.example"),
        ("HTTPS://Shop.Example", "https://shop.example"),
        ("https://shop.example/", "https://shop.example"),
        ("  https://shop.example  ", "https://shop.example"),
        ("https://shop.example:443", "https://shop.example"),
        ("http://shop.example:80", "http://shop.example"),
        ("http://shop.example:443", "http://shop.example:443"),
        ("https://shop.example:8443", "https://shop.example:8443"),
        ("http://127.0.0.1:*", "http://127.0.0.1:*"),
        ("http://localhost:*/", "http://localhost:*"),
        ("http://localhost:08000", "http://localhost:8000"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_normalise_origin(typed, normalised):
    assert normalise_origin(typed) == normalised


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "empty"),
        ("shop.example", "Write it with http:// or https:// in front"),
        ("ftp://shop.example", "does not start with http:// or https://"),
        ("javascript://shop.example", "does not start with http:// or https://"),
        ("https://shop.example/checkout", "has a path, query or fragment"),
        ("https://shop.example?x=1", "has a path, query or fragment"),
        ("https://shop.example#top", "has a path, query or fragment"),
        ("https://user:secret@shop.example", "contains a user name"),
        ("https://*.shop.example", "wildcard in its host"),
        ("https://[::1]:8000", "IPv6"),
        ("https://", "not have a valid host name"),
        ("https://shop_example.com", "not have a valid host name"),
        ("https://-shop.example", "not have a valid host name"),
        ("https://shop..example", "not have a valid host name"),
        ("https://shop.example:0", "invalid port"),
        ("https://shop.example:65536", "invalid port"),
        ("https://shop.example:http", "invalid port"),
        ("https://shop.example:", "invalid port"),
        ("1https://shop.example", "is not an origin"),
    ],
)
def test_normalise_origin_rejects(typed, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        normalise_origin(typed)


def test_any_port_can_be_rejected():
    with pytest.raises(ValueError, match=r"from 1 to 65535\.$"):
        normalise_origin("http://localhost:*", allow_any_port=False)


def test_parse_lines_and_commas():
    text = "https://shop.example\r\nhttp://localhost:*, http://127.0.0.1:8000\n\n"

    assert parse_allowed_origins(text) == [
        "https://shop.example",
        "http://localhost:*",
        "http://127.0.0.1:8000",
    ]


def test_parse_keeps_repeated_origin_once():
    text = "https://shop.example\nHTTPS://SHOP.EXAMPLE:443/\nhttps://shop.example"

    assert parse_allowed_origins(text) == ["https://shop.example"]


def test_parse_blank_text_is_empty():
    assert parse_allowed_origins("  \n , \n") == []


def test_parse_names_bad_entry():
    with pytest.raises(
        ValueError, match=re.escape("'https://shop.example/pay' has a path")
    ):
        parse_allowed_origins("http://localhost:*\nhttps://shop.example/pay")


def test_parse_rejects_too_many():
    text = "\n".join(f"https://shop{n}.example" for n in range(MAX_ALLOWED_ORIGINS + 1))

    with pytest.raises(ValueError, match=f"at most {MAX_ALLOWED_ORIGINS}"):
        parse_allowed_origins(text)


def test_origin_list_rejects_duplicates():
    with pytest.raises(
        ValueError, match=re.escape("https://shop.example is listed twice")
    ):
        normalise_origin_list(["https://shop.example", "https://Shop.example:443"])


@pytest.mark.parametrize("value", ["https://shop.example", None, 3])
def test_origin_list_rejects_non_lists(value):
    with pytest.raises(ValueError, match="must be a list"):
        normalise_origin_list(value)


def test_origin_list_rejects_non_strings():
    with pytest.raises(ValueError, match="is not a string"):
        normalise_origin_list(["https://shop.example", 42])


ALLOWED = ["http://localhost:*", "https://shop.example", "http://blog.example:8080"]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:8123", True),
        ("http://localhost", True),
        ("https://localhost:8123", True),
        ("http://127.0.0.1:8123", False),
        ("https://shop.example", True),
        ("https://shop.example:443", True),
        ("https://SHOP.example", True),
        ("http://shop.example", False),
        ("https://shop.example:8443", False),
        ("https://www.shop.example", False),
        ("http://blog.example:8080", True),
        ("https://blog.example:8080", True),
        ("http://blog.example", False),
        ("null", False),
        ("", False),
        (None, False),
        ("http://localhost:*", False),
        ("https://shop.example/path", False),
    ],
)
def test_origin_allowed(origin, allowed):
    assert origin_allowed(origin, ALLOWED) is allowed


def test_nothing_allowed_by_empty_list():
    assert origin_allowed("https://shop.example", []) is False
