import re

import pytest

from portal.catalog.errors import CatalogError
from portal.links.slugs import RANDOM_LENGTH, check_slug, generate_slug, title_part


def test_generated_slug_starts_with_title_words():
    slug = generate_slug("Summer Poster, 50\u00d770 cm!")

    assert re.fullmatch(rf"summer-poster-50-70-cm-[a-z2-9]{{{RANDOM_LENGTH}}}", slug)


def test_generated_slugs_differ():
    slugs = {generate_slug("Poster") for _ in range(50)}

    assert len(slugs) == 50


def test_generated_slug_passes_check():
    slug = generate_slug("Ääkköset ja émigré")

    assert check_slug(slug) == slug
    assert slug.startswith("aakkoset-ja-emigre-")


def test_title_without_latin_letters_gives_random_slug():
    slug = generate_slug("東京")

    assert re.fullmatch(rf"[a-z2-9]{{{RANDOM_LENGTH}}}", slug)


def test_title_part_is_cut_at_a_word():
    part = title_part("a very long title " * 10)

    assert len(part) <= 40
    assert not part.endswith("-")


def test_check_slug_lower_cases():
    assert check_slug(" Summer-Sale ") == "summer-sale"


@pytest.mark.parametrize(
    "text",
    ["ab", "a" * 65, "summer sale", "summer--sale", "-summer", "sale-", "kesä", "a/b"],
)
def test_check_slug_rejects(text):
    with pytest.raises(CatalogError) as raised:
        check_slug(text)

    assert raised.value.field == "slug"
    assert "letters a to z, digits and single hyphens" in raised.value.message
