"""Evidence of a quote published, signed, countersigned, accepted and paid."""

from datetime import timedelta
from decimal import Decimal

import pytest

from portal.database import now_utc
from portal.models import InstalmentDue, QuoteStatus, SignerRole
from portal.quotes.building import SignerDraft
from portal.quotes.publishing import publish_quote
from portal.quotes.schedule import InstalmentInput
from portal.quotes.verification import verify_quote
from tests.factories import make_business
from tests.fixtures.staff import make_staff
from tests.quotes.builders import STAFF_ACTOR, buyer, make_quote
from tests.quotes.test_paying import pay, sign_all

CHANGED_CONTENT = (
    "The quote's lines, terms, schedule or signers changed after it was published."
)


@pytest.fixture
def paid_quote(app, client, db):
    """A quote paid in two instalments: 30 % on signature, 70 % 30 days later."""
    make_business(db)
    countersigner = make_staff(db, role="sales", name="Sara Sales")
    db.commit()
    quote = make_quote(
        db,
        signers=(
            buyer(),
            SignerDraft(SignerRole.COUNTERSIGNER, staff_id=countersigner.id),
        ),
        instalments=(
            InstalmentInput(InstalmentDue.ON_SIGNATURE, percent=Decimal(30)),
            InstalmentInput(InstalmentDue.DAYS_AFTER, percent=Decimal(70), days=30),
        ),
    )
    publish_quote(db, quote, actor=STAFF_ACTOR)
    sign_all(app, db, quote)
    response = pay(client, quote, save_payment_method="yes")
    assert response.status_code == 303
    db.expire_all()
    return quote


def verify(app, token):
    # A token may start with a hyphen, which would otherwise read as an option.
    return app.test_cli_runner().invoke(args=["quotes", "verify", "--", token])


def test_paid_quote_verifies_intact(app, db, paid_quote):
    first, second = paid_quote.instalments
    assert paid_quote.status is QuoteStatus.ACCEPTED
    assert first.due_on is not None
    assert second.due_on is not None

    result = verify(app, paid_quote.token)

    assert result.exit_code == 0, result.output
    assert "Intact." in result.output
    assert verify_quote(db, paid_quote).problems == []


def test_changed_rule_after_acceptance_detected(app, db, paid_quote):
    paid_quote.instalments[1].days = 60
    db.commit()

    result = verify(app, paid_quote.token)

    assert result.exit_code == 1
    assert CHANGED_CONTENT in result.stderr


def test_changed_fixed_date_detected(app, db):
    make_business(db)
    db.commit()
    quote = make_quote(
        db,
        instalments=(
            InstalmentInput(InstalmentDue.ON_SIGNATURE, percent=Decimal(50)),
            InstalmentInput(
                InstalmentDue.ON_DATE,
                percent=Decimal(50),
                due_on=now_utc().date() + timedelta(days=40),
            ),
        ),
    )
    publish_quote(db, quote, actor=STAFF_ACTOR)
    quote.instalments[1].due_on += timedelta(days=1)
    db.commit()

    assert verify_quote(db, quote).problems == [CHANGED_CONTENT]
