"""When a failed renewal charge is tried again.

The business lists the retry days, counted from the day of the first failed
charge: ``[1, 3, 5, 7]`` tries again one, three, five and seven days after
it. Once the last retry fails the period is uncollectible.
"""

from datetime import date, timedelta

from portal.models import Business

DEFAULT_RETRY_DAYS = (1, 3, 5, 7)


def retry_days(business: Business) -> list[int]:
    """Return the business's retry days: sorted, unique and above zero."""
    days = business.subscription_retry_days
    if days is None:
        days = DEFAULT_RETRY_DAYS
    return sorted({int(day) for day in days if int(day) > 0})


def next_retry_on(
    days: list[int], attempts: int, today: date, previous_due: date | None
) -> date | None:
    """Return the date of the next retry after ``attempts`` failed charges.

    ``today`` is the day of the charge that just failed and ``previous_due``
    the day it was scheduled for (None for the first charge). Returns None
    when no retry is left. The date is counted from the first failure and
    is always after ``today``, so a run that was down for a few days spreads
    the remaining retries over the following days instead of trying them all
    at once.
    """
    if attempts < 1 or attempts > len(days):
        return None
    if attempts == 1 or previous_due is None:
        due = today + timedelta(days=days[0])
    else:
        due = previous_due + timedelta(days=days[attempts - 1] - days[attempts - 2])
    return max(due, today + timedelta(days=1))
