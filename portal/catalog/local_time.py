"""Dates and times typed in the business's time zone, stored in UTC."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from portal.catalog.errors import CatalogError

INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # the value of an <input type="datetime-local">
# Years at the ends of the calendar have no UTC equivalent in every time zone.
FIRST_YEAR = 1900
LAST_YEAR = 9998


def parse_local(text: str | None, timezone: str, field: str) -> datetime | None:
    """Parse "2027-01-31T18:00" in ``timezone`` into a UTC datetime; None when empty.

    A wall-clock time skipped or repeated by a daylight saving change is
    read with ``fold=0``, the earlier of the two offsets.
    """
    value = (text or "").strip()
    if not value:
        return None
    try:
        local = datetime.strptime(value, INPUT_FORMAT)  # noqa: DTZ007
    except ValueError:
        raise CatalogError(
            f"{value!r} is not a date and time. Use the form YYYY-MM-DD HH:MM, "
            "such as 2027-01-31 18:00.",
            field,
        ) from None
    if not FIRST_YEAR <= local.year <= LAST_YEAR:
        raise CatalogError(
            f"{value!r} is out of range. Choose a date between the years "
            f"{FIRST_YEAR} and {LAST_YEAR}.",
            field,
        )
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_input(moment: datetime | None, timezone: str) -> str:
    """Return a UTC datetime as a datetime-local value in ``timezone``."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(timezone)).strftime(INPUT_FORMAT)


def local_display(moment: datetime | None, timezone: str) -> str:
    """Return a UTC datetime as "2027-01-31 18:00 (Europe/Helsinki)"."""
    if moment is None:
        return ""
    return f"{local_time(moment, timezone)} ({timezone})"


def local_time(moment: datetime, timezone: str) -> str:
    """Return a UTC datetime as "2027-01-31 18:00" in ``timezone``."""
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M}"


def check_future(
    moment: datetime | None, now: datetime, label: str, field: str
) -> None:
    """Raise ``CatalogError`` when ``moment`` is set and not after ``now``."""
    if moment is not None and moment <= now:
        raise CatalogError(
            f"The {label} is in the past. Choose a later date and time, "
            "or leave it empty.",
            field,
        )
