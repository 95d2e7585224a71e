"""The account area's clock, one place for tests to move time forward."""

from datetime import datetime

from portal.database import now_utc


def now() -> datetime:
    """Return the current UTC time as the account area uses it."""
    return now_utc()
