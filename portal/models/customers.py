"""Customer sign-in for the account area: emailed links and sessions.

Tokens reach the customer only; the tables keep their SHA-256 digests, so a
leaked copy of a table cannot be used to sign in.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime
from portal.models.contacts import Contact
from portal.models.types import intpk, utc_created, utc_timestamp


class CustomerSignInLink(Base):
    """A single-use sign-in link emailed to a contact."""

    __tablename__ = "customer_sign_in_links"

    id: Mapped[intpk]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex
    created_at: Mapped[utc_created]
    expires_at: Mapped[utc_timestamp]
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_address: Mapped[str | None] = mapped_column(String(64))

    contact: Mapped[Contact] = relationship()


class CustomerSignInRequest(Base):
    """One request for a sign-in link, whether or not the email is known.

    Counted to limit how often an email address or a client may ask.
    """

    __tablename__ = "customer_sign_in_requests"

    id: Mapped[intpk]
    email_digest: Mapped[str] = mapped_column(String(64), index=True)  # SHA-256 hex
    client_address: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[utc_created]


class CustomerSession(Base):
    """A signed-in customer's session, ended by sign-out or expiry."""

    __tablename__ = "customer_sessions"

    id: Mapped[intpk]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex
    created_at: Mapped[utc_created]
    last_seen_at: Mapped[utc_timestamp]
    expires_at: Mapped[utc_timestamp]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped[Contact] = relationship()
