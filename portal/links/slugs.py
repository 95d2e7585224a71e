"""The slug of a payment link, the last part of its URL ``/pay/<slug>``.

A generated slug starts with words of the title, for people who read the
URL, and ends with ten random characters, so that links cannot be found by
guessing: 31 possible characters make about 8 x 10^14 combinations.
"""

import re
import secrets
import unicodedata

from portal.catalog.errors import CatalogError

MIN_LENGTH = 3
MAX_LENGTH = 64  # the payment_links.slug column
TITLE_PART_LENGTH = 40
RANDOM_LENGTH = 10
# Lower-case letters and digits without the look-alikes 0, 1, i, l and o.
RANDOM_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def title_part(title: str) -> str:
    """Return the title as lower-case ASCII words joined by hyphens, or ""."""
    decomposed = unicodedata.normalize("NFKD", title.lower())
    # Accents come off their letters; other characters separate words.
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _NOT_WORD.sub("-", letters).strip("-")
    if len(words) > TITLE_PART_LENGTH:
        words = words[:TITLE_PART_LENGTH].rsplit("-", 1)[0]
    return words


def generate_slug(title: str) -> str:
    """Return a new slug such as ``summer-poster-k7m2q9xd3a``."""
    random_part = "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(RANDOM_LENGTH))
    words = title_part(title)
    return f"{words}-{random_part}" if words else random_part


def check_slug(value: str) -> str:
    """Return a slug typed by staff, lower-cased.

    Raises ``CatalogError`` unless it has 3 to 64 letters a to z, digits and
    single hyphens between them.
    """
    slug = value.strip().lower()
    if not MIN_LENGTH <= len(slug) <= MAX_LENGTH or not _SLUG.fullmatch(slug):
        raise CatalogError(
            f"The URL ending {value.strip()!r} is invalid. Use {MIN_LENGTH} to "
            f"{MAX_LENGTH} letters a to z, digits and single hyphens between "
            "them, such as summer-sale.",
            "slug",
        )
    return slug
