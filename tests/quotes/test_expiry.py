"""A quote is valid through 23:59:59 of its expiration date in the business's zone."""

from datetime import UTC, date, datetime

import pytest

from portal.models import Quote
from portal.quotes.expiry import is_expired, valid_until

HELSINKI = "Europe/Helsinki"


def quote_expiring(day: date) -> Quote:
    return Quote(expires_on=day)


@pytest.mark.parametrize(
    ("moment", "expired"),
    [
        # Helsinki is UTC+3 in summer, so the day ends at 21:00 UTC.
        (datetime(2027, 6, 30, 20, 59, 59, 999999, tzinfo=UTC), False),
        (datetime(2027, 6, 30, 21, 0, 0, tzinfo=UTC), True),
        (datetime(2027, 6, 30, 12, 0, 0, tzinfo=UTC), False),
        (datetime(2027, 7, 1, 0, 0, 0, tzinfo=UTC), True),
    ],
)
def test_expiry_at_local_midnight(moment, expired):
    quote = quote_expiring(date(2027, 6, 30))
    assert is_expired(quote, moment, HELSINKI) is expired


def test_expiry_in_winter_time():
    quote = quote_expiring(date(2027, 1, 15))
    # UTC+2 in winter: the day ends at 22:00 UTC.
    assert valid_until(quote, HELSINKI) == datetime(2027, 1, 15, 22, 0, tzinfo=UTC)


def test_expiry_before_clocks_go_forward():
    # Clocks go from 03:00 to 04:00 on 28 March 2027, after the day has ended
    # at 22:00 UTC on the 27th, still in winter time.
    quote = quote_expiring(date(2027, 3, 27))
    assert valid_until(quote, HELSINKI) == datetime(2027, 3, 27, 22, 0, tzinfo=UTC)
    quote = quote_expiring(date(2027, 3, 28))
    assert valid_until(quote, HELSINKI) == datetime(2027, 3, 28, 21, 0, tzinfo=UTC)


def test_expiry_in_utc_business():
    quote = quote_expiring(date(2027, 6, 30))
    assert not is_expired(quote, datetime(2027, 6, 30, 23, 59, 59, tzinfo=UTC), "UTC")
    assert is_expired(quote, datetime(2027, 7, 1, 0, 0, tzinfo=UTC), "UTC")


def test_unknown_zone_counts_as_utc():
    quote = quote_expiring(date(2027, 6, 30))
    assert valid_until(quote, "Mars/Olympus") == datetime(2027, 7, 1, tzinfo=UTC)
