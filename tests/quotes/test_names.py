"""Typed signatures compared with the signer's name."""

import pytest

from portal.quotes.names import names_match


@pytest.mark.parametrize(
    "typed",
    [
        "Aino Virtanen",
        "aino virtanen",
        "AINO  VIRTANEN",
        " Aino\tVirtanen ",
        "Äino Virtänen",
    ],
)
def test_same_name_matches(typed):
    assert names_match(typed, "Aino Virtanen")


def test_accents_ignored_both_ways():
    assert names_match("Paivi Jarvinen", "Päivi Järvinen")
    assert names_match("JOSÉ ÑÚÑEZ", "Jose Nunez")


@pytest.mark.parametrize(
    "typed", ["Someone Else", "Aino", "Aino Virtanen Jr", "AinoVirtanen"]
)
def test_other_name_does_not_match(typed):
    assert not names_match(typed, "Aino Virtanen")
