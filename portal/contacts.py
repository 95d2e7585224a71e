"""Contacts: buyers found again by email address."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import Contact


@dataclass(frozen=True, slots=True)
class ContactDetails:
    email: str
    name: str = ""
    phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""


def upsert_contact(session: Session, details: ContactDetails) -> Contact:
    """Find the contact by email, or create it, and store the details given.

    Blank details leave what was stored before. Two concurrent first payments
    from one email address end in one contact: the loser of the insert race
    rolls back its savepoint and updates the winner's row.
    """
    email = details.email.strip().lower()
    contact = session.scalars(select(Contact).where(Contact.email == email)).first()
    if contact is None:
        try:
            # TODO: on SQLite, Python's sqlite3 driver opens no transaction for
            # SELECTs, so this savepoint commits the new contact on release even
            # when the caller later rolls back. PostgreSQL keeps it in the caller's
            # transaction.
            with session.begin_nested():
                contact = Contact(email=email)
                session.add(contact)
                session.flush()
        except IntegrityError:
            contact = session.scalars(
                select(Contact).where(Contact.email == email)
            ).one()
    for field in (
        "name",
        "phone",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "country",
    ):
        value = getattr(details, field).strip()
        if value:
            setattr(contact, field, value)
    return contact
