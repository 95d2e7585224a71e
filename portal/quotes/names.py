"""Comparing a typed signature with the signer's name on the quote."""

import re
import unicodedata

WHITESPACE = re.compile(r"\s+")


def name_key(name: str) -> str:
    """Return ``name`` without case, accents or repeated spaces, for comparing.

    "Äino  virtanen" and "Aino Virtanen" give the same key. A letter that is
    not a base letter plus an accent, such as "ø", is only case-folded.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return WHITESPACE.sub(" ", bare).strip().casefold()


def names_match(typed: str, expected: str) -> bool:
    """Return whether the typed name is the expected name, by ``name_key``."""
    return name_key(typed) == name_key(expected)
