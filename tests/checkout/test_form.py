import pytest

from portal.checkout.form import parse_expiry


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12/30", (12, 2030)),
        ("12 / 30", (12, 2030)),
        (" 1/2031 ", (1, 2031)),
        ("12-30", (12, 2030)),
        ("1230", (12, 2030)),
        ("122030", (12, 2030)),
        ("0130", (1, 2030)),
        ("13/30", None),
        ("00/30", None),
        ("130", None),
        ("12/3", None),
        ("12.30", None),
        ("", None),
    ],
)
def test_parse_expiry(typed, expected):
    assert parse_expiry(typed) == expected
