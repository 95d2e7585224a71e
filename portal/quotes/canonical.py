"""Canonical JSON and SHA-256 digests for quote evidence.

The same value always serialises to the same bytes: keys sorted, no spaces,
UTF-8 without escapes. Only JSON types are accepted (no floats, dates or
decimals), so callers convert those to strings or integers first.
"""

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` to canonical JSON bytes; raise ``TypeError`` on a float."""
    _reject_floats(value)
    text = json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reject_floats(value: Any) -> None:
    # A float's text form depends on how it was computed, so two equal-looking
    # documents could hash differently; amounts are integers of minor units.
    if isinstance(value, float):
        raise TypeError(f"float {value!r} in canonical JSON; use an int or a str")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_floats(item)
