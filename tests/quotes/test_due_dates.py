"""Fixed due dates of instalments: never before today in the business's time zone."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from portal.database import now_utc
from portal.invoices.status import local_today
from portal.models import InstalmentDue, QuoteStatus
from portal.quotes.errors import QuoteError
from portal.quotes.publishing import publish_quote
from portal.quotes.schedule import InstalmentInput
from tests.factories import make_business
from tests.quotes.builders import STAFF_ACTOR, make_quote

# UTC+14 all year, so its date is a day ahead of UTC's from 10:00 UTC on.
ZONE = "Pacific/Kiritimati"


@pytest.fixture
def today(db) -> date:
    make_business(db, timezone=ZONE)
    db.commit()
    return local_today(now_utc(), ZONE)


def halves_due_on(day: date) -> tuple[InstalmentInput, ...]:
    return (
        InstalmentInput(InstalmentDue.ON_SIGNATURE, percent=Decimal(50)),
        InstalmentInput(InstalmentDue.ON_DATE, percent=Decimal(50), due_on=day),
    )


def test_past_due_date_rejected(db, today):
    with pytest.raises(QuoteError) as raised:
        make_quote(db, instalments=halves_due_on(date(2020, 1, 1)))

    assert raised.value.field == "instalments-1-due_on"
    assert str(raised.value) == (
        "Instalment 2 is due on 2020-01-01, which is in the past. "
        f"Choose {today.isoformat()} or later."
    )


def test_yesterday_in_business_zone_rejected(db, today):
    with pytest.raises(QuoteError, match="in the past"):
        make_quote(db, instalments=halves_due_on(today - timedelta(days=1)))


def test_due_today_accepted(db, today):
    quote = make_quote(db, instalments=halves_due_on(today))

    assert quote.instalments[1].due_on == today


def test_publish_rejects_passed_due_date(db, today):
    quote = make_quote(db, instalments=halves_due_on(today))
    quote.instalments[1].due_on = today - timedelta(days=1)
    db.commit()

    with pytest.raises(QuoteError, match=r"Instalment 2 is due on .* which has passed"):
        publish_quote(db, quote, actor=STAFF_ACTOR)

    db.rollback()
    assert quote.status is QuoteStatus.DRAFT
