"""A business, two customers and a way to sign a test client in as one of them."""

from datetime import datetime

import pytest
from itsdangerous import URLSafeSerializer

from portal.account import clock
from portal.account.current import COOKIE_NAME, COOKIE_PATH, COOKIE_SALT
from portal.account.sessions import start_session
from portal.contacts import ContactDetails, upsert_contact
from portal.database import now_utc
from portal.models import Contact
from tests.factories import make_business
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
