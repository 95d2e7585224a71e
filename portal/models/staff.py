"""The merchant's staff and their server-side sign-in sessions."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime
from portal.models.catalog import enum_column
from portal.models.types import intpk, utc_created, utc_timestamp


class StaffRole(StrEnum):
    """What a staff member may do in the back office, from most to least."""

    OWNER = "owner"
    ADMIN = "admin"
    SALES = "sales"
    VIEWER = "viewer"


class Staff(Base):
    """A person who signs in to the back office.

    Staff are deactivated rather than deleted, so that audit rows naming
    ``staff:<id>`` keep pointing at someone. The attributes that Flask-Login
    reads (``is_authenticated``, ``is_active``, ``get_id``) are defined here;
    ``get_id`` returns the token of the sign-in session the staff member was
    loaded through, never the row id.
    """

    __tablename__ = "staff"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower"),)

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(320), unique=True)  # lower-cased
    name: Mapped[str] = mapped_column(String(200), default="")
    # argon2id hash in PHC string form, parameters included.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[utc_created]
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Token of the sign-in session this instance was loaded through, set by the
    # user loader and at sign-in. It is a plain attribute, not a column.
    session_token = None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token


class StaffSession(Base):
    """One sign-in of a staff member, ended on the server by sign-out or revocation.

    The browser keeps the random token; only its SHA-256 digest is stored, so
    a leaked copy of the table cannot be used to sign in.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[intpk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[utc_created]
    last_seen_at: Mapped[utc_timestamp]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    staff: Mapped[Staff] = relationship()
