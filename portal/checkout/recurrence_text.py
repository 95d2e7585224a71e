"""Buyer-facing words for a billing frequency and for billing dates.

Every string goes through gettext, so call these inside the buyer's locale
(a request, or ``force_locale`` in an email).
"""

from datetime import date

from babel.dates import format_date
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.models import BillingFrequency

# The number of years of the "every N years" frequencies.
YEARS = {
    BillingFrequency.EVERY_2_YEARS: 2,
    BillingFrequency.EVERY_3_YEARS: 3,
    BillingFrequency.EVERY_4_YEARS: 4,
    BillingFrequency.EVERY_5_YEARS: 5,
}


def every_interval(frequency: BillingFrequency) -> str:
    """Return the interval as the end of a sentence, such as "every month"."""
    if frequency is BillingFrequency.WEEKLY:
        return _("every week")
    if frequency is BillingFrequency.BIWEEKLY:
        return ngettext("every %(num)d week", "every %(num)d weeks", 2)
    if frequency is BillingFrequency.MONTHLY:
        return _("every month")
    if frequency is BillingFrequency.QUARTERLY:
        return ngettext("every %(num)d month", "every %(num)d months", 3)
    if frequency is BillingFrequency.SEMIANNUALLY:
        return ngettext("every %(num)d month", "every %(num)d months", 6)
    if frequency is BillingFrequency.YEARLY:
        return _("every year")
    return ngettext("every %(num)d year", "every %(num)d years", YEARS[frequency])


def long_date(day: date, locale: str) -> str:
    """Return a date as the buyer reads it, such as "March 15, 2027" in English."""
    return format_date(day, "long", locale=locale)
