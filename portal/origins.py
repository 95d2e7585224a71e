"""Web origins that may embed a payment link's checkout.

An origin is ``scheme://host[:port]`` as browsers send it in the ``Origin``
header. The normalised form used throughout Kassa has a lower-case scheme
(``http`` or ``https``) and host, no default port (80 for http, 443 for
https), and no path, query or fragment. A listed origin may use ``:*`` as
its port to allow every port of that host, which is also how the
``frame-ancestors`` directive of Content Security Policy reads it.
"""

import re
from collections.abc import Iterable, Sequence

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
ANY_PORT = "*"
# Each allowed origin goes into the Content-Security-Policy header of every
# embedded checkout page, so the list stays short.
MAX_ALLOWED_ORIGINS = 20

_ORIGIN = re.compile(
    r"""
    (?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://
    (?P<userinfo>[^/?#@]*@)?
    (?P<host>\[[^\]]*\]|[^/?#:]*)
    (?::(?P<port>[^/?#]*))?
    (?P<rest>.*)
    """,
    re.VERBOSE | re.DOTALL,
)
# A host name label as the host-char rule of Content Security Policy allows:
# letters, digits and hyphens, with no hyphen at either end.
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SEPARATORS = re.compile(r"[\s,]+")


def normalise_origin(text: str, *, allow_any_port: bool = True) -> str:
    """Return ``text`` as a normalised origin, such as ``https://shop.example``.

    A lone trailing slash is dropped. A non-ASCII host name is converted to
    its ASCII (punycode) form, which is what browsers send. With
    ``allow_any_port`` false, the ``:*`` port is rejected too.

    Raises ``ValueError`` with a message that names the value and shows how
    to write it.
    """
    value = text.strip()
    if not value:
        raise ValueError("An origin is empty. Write it as https://shop.example.")
    if "://" not in value:
        raise ValueError(
            f"{value!r} has no scheme. Write it with http:// or https:// in front, "
            f"such as https://{value}."
        )
    match = _ORIGIN.fullmatch(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not an origin. Write it as https://shop.example, "
            "with http:// or https:// in front."
        )
    scheme = match["scheme"].lower()
    if scheme not in SCHEMES:
        raise ValueError(
            f"{value!r} does not start with http:// or https://, so it cannot "
            "embed a checkout."
        )
    if match["userinfo"] is not None:
        raise ValueError(
            f"{value!r} contains a user name. An origin is only scheme://host[:port]."
        )
    if match["rest"] not in ("", "/"):
        raise ValueError(
            f"{value!r} has a path, query or fragment. An origin is only "
            f"scheme://host[:port], such as {scheme}://{match['host'].lower()}."
        )
    host = _normalise_host(match["host"], value)
    port = _normalise_port(match["port"], scheme, value, allow_any_port)
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def _normalise_host(host: str, value: str) -> str:
    if host.startswith("["):
        raise ValueError(
            f"{value!r} has an IPv6 address, which Content Security Policy "
            "cannot list; use a host name."
        )
    if "*" in host:
        raise ValueError(
            f"{value!r} has a wildcard in its host. List each host on its own, "
            "because only the port may be *."
        )
    try:
        ascii_host = host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.split(".")
    if not ascii_host or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(
            f"{value!r} does not have a valid host name. Use letters, digits, "
            "hyphens and dots, such as https://shop.example."
        )
    return ascii_host


def _normalise_port(
    port: str | None, scheme: str, value: str, allow_any_port: bool
) -> str:
    """Return the port to write after the host, or "" for the default port."""
    if port is None:
        return ""
    if port == ANY_PORT and allow_any_port:
        return ANY_PORT
    if not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
        allowed = "a number from 1 to 65535" + (" or *" if allow_any_port else "")
        raise ValueError(f"{value!r} has an invalid port. The port must be {allowed}.")
    if int(port) == DEFAULT_PORTS[scheme]:
        return ""
    return str(int(port))


def normalise_origin_list(origins: Sequence[str]) -> list[str]:
    """Return the normalised origins of a list, in order.

    Raises ``ValueError`` when the value is not a list of strings, when an
    entry is not an origin, when two entries name the same origin, or when
    there are more than ``MAX_ALLOWED_ORIGINS``.
    """
    if isinstance(origins, str) or not isinstance(origins, Sequence):
        raise ValueError("Allowed origins must be a list of origins.")
    normalised: list[str] = []
    for entry in origins:
        if not isinstance(entry, str):
            raise ValueError(f"Allowed origin {entry!r} is not a string.")
        origin = normalise_origin(entry)
        if origin in normalised:
            raise ValueError(f"{origin} is listed twice. List each origin once.")
        normalised.append(origin)
    _check_count(normalised)
    return normalised


def parse_allowed_origins(text: str) -> list[str]:
    """Parse origins typed one per line or separated by commas.

    Blank entries are skipped, and an origin typed twice is kept once.
    Raises ``ValueError`` for the first entry that is not an origin, or when
    more than ``MAX_ALLOWED_ORIGINS`` origins remain.
    """
    normalised: list[str] = []
    for entry in _SEPARATORS.split(text):
        if not entry:
            continue
        origin = normalise_origin(entry)
        if origin not in normalised:
            normalised.append(origin)
    _check_count(normalised)
    return normalised


def _check_count(origins: list[str]) -> None:
    if len(origins) > MAX_ALLOWED_ORIGINS:
        raise ValueError(
            f"{len(origins)} origins are listed, but at most {MAX_ALLOWED_ORIGINS} "
            "are allowed. Use :* as the port to cover every port of a host."
        )


def origin_allowed(origin: str | None, allowed: Iterable[str]) -> bool:
    """Tell whether a browser's origin matches one of the allowed origins.

    ``origin`` is a concrete origin, such as the ``Origin`` header or a
    frame's parent; ``None``, ``"null"`` and anything that is not an origin
    match nothing. Matching follows the ``frame-ancestors`` directive: a
    ``:*`` port matches every port, and an ``http`` entry also matches the
    same host and port over ``https``.
    """
    if not origin:
        return False
    try:
        scheme, host, port = _split(normalise_origin(origin, allow_any_port=False))
    except ValueError:
        return False
    for entry in allowed:
        entry_scheme, entry_host, entry_port = _split(entry)
        if entry_host != host:
            continue
        if entry_scheme != scheme and (entry_scheme, scheme) != ("http", "https"):
            continue
        if entry_port in (ANY_PORT, port):
            return True
    return False


def _split(origin: str) -> tuple[str, str, str]:
    """Split a normalised origin into scheme, host and port ("" for default)."""
    scheme, _, authority = origin.partition("://")
    host, _, port = authority.partition(":")
    return scheme, host, port
