"""A business, two customers and a way to sign a test client in as one of them."""

import secrets
from datetime import datetime

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from portal.account import clock
from portal.account.current import COOKIE_NAME, COOKIE_PATH, COOKIE_SALT
from portal.account.sessions import start_session
from portal.billing.schedule import billing_date
from portal.contacts import ContactDetails, upsert_contact
from portal.database import now_utc
from portal.models import (
    BillingFrequency,
    CollectionMethod,
    Contact,
    PriceKind,
    ProcessorCustomer,
    SavedPaymentMethod,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)
from tests.factories import make_business, make_product_price
from tests.fixtures.staff import CSRF_FIELD


@pytest.fixture
def business(db):
    business = make_business(db)
    db.commit()
    return business


def add_contact(db, email: str, name: str) -> Contact:
    contact = upsert_contact(db, ContactDetails(email=email, name=name))
    db.commit()
    return contact


@pytest.fixture
def aino(db, business) -> Contact:
    return add_contact(db, "aino@example.com", "Aino Virtanen")


@pytest.fixture
def other(db, business) -> Contact:
    return add_contact(db, "olli@example.com", "Olli Korhonen")


def sign_in_as(app, client, db, contact: Contact) -> str:
    """Start a session for ``contact`` and put its cookie in ``client``."""
    token = start_session(db, contact, now_utc())
    db.commit()
    serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt=COOKIE_SALT)
    client.set_cookie(COOKIE_NAME, serializer.dumps(token), path=COOKIE_PATH)
    return token


@pytest.fixture
def aino_client(app, client, db, aino):
    """The test client, signed in as Aino."""
    sign_in_as(app, client, db, aino)
    return client


class Clock:
    """A clock that tests move forward by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch) -> Clock:
    fixed = Clock(now_utc())
    monkeypatch.setattr(clock, "now", fixed)
    return fixed


def form_token(client) -> str:
    """Return the CSRF token of the client's session, read from an account page.

    The sign-in page sends a signed-in customer on to the overview, whose
    sign-out form carries the token too.
    """
    response = client.get("/account/sign-in", follow_redirects=True)
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {response.request.path}"
    return match.group(1)


def make_subscription(db, contact: Contact, **overrides) -> Subscription:
    """Add a monthly 29.00 EUR subscription, billed automatically from today.

    Period 0 is recorded paid, so the next billing date is a month away.
    """
    today = now_utc().date()
    price = make_product_price(db, "Studio membership", 2900)
    price.kind = PriceKind.RECURRING
    price.frequency = BillingFrequency.MONTHLY
    fields = {
        "token": secrets.token_urlsafe(24),
        "contact_id": contact.id,
        "status": SubscriptionStatus.ACTIVE,
        "collection": CollectionMethod.AUTOMATIC,
        "currency": "EUR",
        "frequency": BillingFrequency.MONTHLY,
        "start_date": today,
        "anchor_date": today,
        "next_period": 1,
        "next_billing_date": billing_date(today, BillingFrequency.MONTHLY, 1),
        "created_by": "buyer",
        **overrides,
    }
    subscription = Subscription(**fields)
    subscription.items.append(
        SubscriptionItem(
            position=0,
            price=price,
            description="Studio membership",
            quantity=1,
            unit_amount=2900,
        )
    )
    db.add(subscription)
    db.flush()
    return subscription


def save_method(db, contact: Contact, last4: str = "4242") -> SavedPaymentMethod:
    """Add a saved test card of ``contact``."""
    customer = db.scalars(
        select(ProcessorCustomer).where(ProcessorCustomer.contact_id == contact.id)
    ).first()
    if customer is None:
        customer = ProcessorCustomer(
            contact_id=contact.id,
            processor="test",
            live_mode=False,
            customer_ref=f"cus_test_{secrets.token_hex(6)}",
        )
        db.add(customer)
    method = SavedPaymentMethod(
        customer=customer,
        processor_ref=f"pm_test_{secrets.token_hex(6)}",
        kind="card",
        brand="visa",
        last4=last4,
        exp_month=12,
        exp_year=2040,
        consent_text="Save my card.",
        consented_at=now_utc(),
    )
    db.add(method)
    db.flush()
    return method
