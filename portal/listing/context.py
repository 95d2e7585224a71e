"""The business's time zone and the current time, which some filters depend on."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from portal.documents.facts import business_zone
from portal.invoices.status import local_today


@dataclass(frozen=True, slots=True)
class ListingContext:
    timezone: str  # the business's IANA time zone, which decides where a day ends
    now: datetime  # UTC-aware

    @property
    def today(self) -> date:
        """The calendar date in the business's time zone at ``now``."""
        return local_today(self.now, self.timezone)

    def day_start(self, day: date) -> datetime:
        """Return, in UTC, the local midnight that begins ``day``."""
        local = datetime.combine(day, time(0), tzinfo=business_zone(self.timezone))
        return local.astimezone(UTC)

    def local_datetime(self, value: datetime) -> datetime:
        """Return a stored UTC timestamp in the business's time zone."""
        return value.astimezone(business_zone(self.timezone))
